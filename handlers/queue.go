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
	// Values are the indicator values submitted by the street's cadres.
	Values  []models.IndicatorQueueItem
	Results []models.BulkResult
	// Left is how many reports wait in the queue, Shown how many the filter keeps.
	Left, Shown int
	Filter      models.QueueFilter
	Streets     []models.Street
	Types       []string
	Flags       []struct{ Code, Label string }
	Sorts       []struct{ Code, Label string }
}

// queueConfirm is the list a bulk approval shows before it approves anything.
type queueConfirm struct {
	Items []models.QueueItem
	// Refused are the selected flagged reports the officer has not opened: they are
	// not approved in bulk.
	Refused []models.QueueItem
	// Skipped counts the selected items that are not in the officer's queue (another
	// street's, already reviewed, or a newer version submitted since).
	Skipped int
	Filter  models.QueueFilter
}

func (h *Handler) queueData(c echo.Context, results []models.BulkResult) (queuePage, error) {
	p := queuePage{Results: results, Filter: queueFilterOf(c), Flags: models.FlagCodes, Sorts: models.QueueSorts}
	q, err := models.ListQueue(h.db(c), actorOf(c), p.Filter)
	if err != nil {
		return p, err
	}
	p.Items, p.Left, p.Shown, p.Streets, p.Types = q.Items, q.Total, len(q.Items), q.Streets, q.Types
	if p.Workshops, err = models.ListWorkshopQueue(h.db(c), actorOf(c)); err != nil {
		return p, err
	}
	p.Values, err = models.ListIndicatorQueue(h.db(c), actorOf(c))
	return p, err
}

// QueueShow is GET /queue: the submitted reports of the officer's street, filtered
// by flag, street and type and ordered by submission, number of flags or street.
func (h *Handler) QueueShow(c echo.Context) error {
	p, err := h.queueData(c, nil)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "queue", "待审核", p, nil)
}

// QueueApprove is POST /queue/approve: approve the selected reports at once. Each
// item is "code/year/version". Without confirm=1 nothing is approved: the answer
// lists the selected items of the officer's queue with a 确认通过 button, and apart
// the flagged ones the officer has not opened, which are not approved in bulk; with
// it, each is approved on its own and reported back, and a flagged item not opened
// answers 409.
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
	f := queueFilterOf(c)
	if len(items) == 0 {
		return redirectFlash(c, "/queue"+f.Query(), "!请先勾选要通过的报表")
	}
	if len(items) > models.MaxBulkApprove || c.FormValue("confirm") == "1" {
		return h.queueApproveNow(c, items)
	}
	queue, err := models.ListQueue(h.db(c), actorOf(c), models.QueueFilter{})
	if err != nil {
		return err
	}
	chosen := map[models.BulkResult]bool{}
	for _, it := range items {
		chosen[it] = true
	}
	p := queueConfirm{Filter: f}
	for _, q := range queue.Items {
		if !chosen[models.BulkResult{VillageCode: q.Version.VillageCode, Year: q.Version.Year, Expected: q.Version.Version}] {
			continue
		}
		if q.NeedsOpening() {
			p.Refused = append(p.Refused, q)
		} else {
			p.Items = append(p.Items, q)
		}
	}
	p.Skipped = len(chosen) - len(p.Items) - len(p.Refused)
	if len(p.Items) == 0 && len(p.Refused) == 0 {
		return redirectFlash(c, "/queue"+f.Query(), "!所选报表已不在待审核队列中")
	}
	return h.render(c, http.StatusOK, "queue_confirm", "确认批量通过", p, nil)
}

func (h *Handler) queueApproveNow(c echo.Context, items []models.BulkResult) error {
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
		return redirectFlash(c, "/queue"+queueFilterOf(c).Query(), "已通过 "+strconv.Itoa(len(results))+" 份报表")
	}
	p, err := h.queueData(c, results)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusConflict, "queue", "待审核", p,
		map[string]string{"form": strconv.Itoa(failed) + " 份未能通过"})
}
