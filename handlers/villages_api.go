package handlers

import (
	"net/http"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

// APIVillageList is GET /api/v1/villages (format=xlsx|csv for a download).
func (h *Handler) APIVillageList(c echo.Context) error {
	if f := c.QueryParam("format"); f != "" && f != "json" {
		t, err := h.villagesTable(c)
		if err != nil {
			return err
		}
		return sendTable(c, t, f)
	}
	f, err := villageFilter(c)
	if err != nil {
		return err
	}
	vs, total, err := models.ListVillages(h.db(c), actorOf(c), f)
	if err != nil {
		return err
	}
	out := make([]villageJSON, len(vs))
	for i := range vs {
		out[i] = toVillageJSON(&vs[i])
	}
	return c.JSON(http.StatusOK, map[string]any{"villages": out, "total": total})
}

// APIVillageShow is GET /api/v1/villages/:code: the village and its latest approved
// figures per year.
func (h *Handler) APIVillageShow(c echo.Context) error {
	v, err := actorOf(c).FindVillage(h.db(c), c.Param("code"))
	if err != nil {
		return err
	}
	years, err := models.VillageYears(h.db(c), v.Code)
	if err != nil {
		return err
	}
	ys := make([]map[string]any, 0, len(years))
	for _, y := range years {
		ys = append(ys, map[string]any{"year": y.Year, "approved": toVersionJSON(y.Approved),
			"open_status": statusOrNil(y.Open)})
	}
	return c.JSON(http.StatusOK, map[string]any{"village": toVillageJSON(v), "years": ys})
}

// APIVillageCreate is POST /api/v1/villages (district).
func (h *Handler) APIVillageCreate(c echo.Context) error {
	in, err := bindVillageJSON(c)
	if err != nil {
		return err
	}
	v, err := models.CreateVillage(h.db(c), actorOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toVillageJSON(v))
}

// APIVillageUpdate is PUT /api/v1/villages/:code (district).
func (h *Handler) APIVillageUpdate(c echo.Context) error {
	a := actorOf(c)
	in, err := bindVillageJSON(c)
	if err != nil {
		return h.outOfScope(c, c.Param("code"), err)
	}
	in.Code = c.Param("code")
	v, err := models.UpdateVillage(h.db(c), a, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toVillageJSON(v))
}

// villageJSON is a village as the API lists it.
type villageJSON struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	StreetCode  string `json:"street_code"`
	StreetName  string `json:"street_name"`
	Type        string `json:"type"`
	Active      bool   `json:"active"`
	ActiveFrom  int    `json:"active_from"`
	ActiveUntil *int   `json:"active_until"`
}

func toVillageJSON(v *models.Village) villageJSON {
	return villageJSON{Code: v.Code, Name: v.Name, StreetCode: v.StreetCode, StreetName: v.Street.Name, Type: v.Type,
		Active: v.ActiveIn(models.CurrentYear()), ActiveFrom: v.ActiveFrom, ActiveUntil: v.ActiveUntil}
}

func statusOrNil(r *models.ReportVersion) *string {
	if r == nil {
		return nil
	}
	return &r.Status
}

// bindVillageJSON reads a village create/edit body.
func bindVillageJSON(c echo.Context) (models.VillageInput, error) {
	m, err := decodeObject(c.Request().Body, false)
	if err != nil {
		return models.VillageInput{}, err
	}
	b := newBinder(m)
	var in models.VillageInput
	if s := b.str("code"); s != nil {
		in.Code = *s
	}
	in.Name, in.StreetCode, in.Type = b.str("name"), b.str("street_code"), b.str("type")
	in.ActiveFrom, in.ActiveUntil = b.small("active_from", 0, 9999), b.small("active_until", 0, 9999)
	if raw, ok := m["active_until"]; ok && string(raw) == "null" {
		in.ClearUntil = true
	}
	return in, b.err()
}
