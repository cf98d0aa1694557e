package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

// queuePage is the data of the street's review queue.
type queuePage struct {
	Items     []models.QueueItem
	Workshops []models.WorkshopQueueItem
	Results   []models.BulkResult
}

func (h *Handler) queueData(c echo.Context, results []models.BulkResult) (queuePage, error) {
	p := queuePage{Results: results}
	var err error
	if p.Items, err = models.ListQueue(h.db(c), actorOf(c)); err != nil {
		return p, err
	}
	p.Workshops, err = models.ListWorkshopQueue(h.db(c), actorOf(c))
	return p, err
}

// QueueShow is GET /queue: the submitted reports of the officer's street.
func (h *Handler) QueueShow(c echo.Context) error {
	p, err := h.queueData(c, nil)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "queue", "待审核", p, nil)
}

// QueueApprove is POST /queue/approve: approve the selected reports at once. Each
// item is "code/year/version"; each is approved on its own and reported back.
func (h *Handler) QueueApprove(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return badRequest("表单格式错误")
	}
	var items []models.BulkResult
	for _, it := range form["item"] {
		parts := strings.Split(it, "/")
		if len(parts) != 3 {
			return badRequest("所选项目格式错误")
		}
		year, err1 := strconv.Atoi(parts[1])
		ver, err2 := strconv.Atoi(parts[2])
		if err1 != nil || err2 != nil {
			return badRequest("所选项目格式错误")
		}
		items = append(items, models.BulkResult{VillageCode: parts[0], Year: year, Expected: ver})
	}
	if len(items) == 0 {
		return redirectFlash(c, "/queue", "!请先勾选要通过的报表")
	}
	results, err := models.ApproveMany(h.db(c), actorOf(c), items)
	if err != nil {
		return h.pageError(c, err, func(status int, errs map[string]string) error {
			p, err := h.queueData(c, nil)
			if err != nil {
				return err
			}
			return h.render(c, status, "queue", "待审核", p, errs)
		})
	}
	failed := 0
	for _, r := range results {
		if r.Err != nil {
			failed++
		}
	}
	h.Metrics.approved("report", len(results)-failed)
	if failed == 0 {
		return redirectFlash(c, "/queue", "已通过 "+strconv.Itoa(len(results))+" 份报表")
	}
	p, err := h.queueData(c, results)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusConflict, "queue", "待审核", p,
		map[string]string{"form": strconv.Itoa(failed) + " 份未能通过"})
}
