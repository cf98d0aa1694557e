package handlers

import (
	"strconv"

	"cunji/models"
	"cunji/views"
)

// step is one stage of a report's status stepper: 草稿 → 已提交 → 已通过/已退回.
type step struct {
	Label string
	// State is "done", "current" or "todo"; Kind colours the last stage
	// ("approved" or "rejected").
	State, Kind string
	// Detail says who did it when, or the reason of a rejection.
	Detail string
}

// stepsOf is the stepper of a village-year from its open version and its latest one.
func stepsOf(rep *models.Report, last *models.ReportVersion) []step {
	var open, latest *models.Workflow
	if rep.Open != nil {
		open = &rep.Open.Workflow
	}
	if last != nil {
		latest = &last.Workflow
	}
	return stepsOfFlow(open, latest)
}

// stepsOfFlow is the stepper of any series (a report, an indicator's value) from the
// workflow of its open version and of its latest one (nil when none).
func stepsOfFlow(open, last *models.Workflow) []step {
	s := []step{{Label: "草稿", State: "todo"}, {Label: "已提交", State: "todo"}, {Label: "已通过 / 已退回", State: "todo"}}
	done := func(i int, detail string) { s[i].State, s[i].Detail = "done", detail }
	switch {
	case open != nil && open.Status == models.StatusDraft:
		s[0].State, s[0].Detail = "current", "第 "+strconv.Itoa(open.Seq)+" 版编辑中，尚未提交"
	case open != nil && open.Status == models.StatusSubmitted:
		done(0, "第 "+strconv.Itoa(open.Seq)+" 版")
		s[1].State, s[1].Detail = "current", open.SubmittedBy+" 于 "+views.When(open.SubmittedAt)+" 提交，等待街道审核"
	case last != nil && last.Status == models.StatusRejected:
		done(0, "第 "+strconv.Itoa(last.Seq)+" 版")
		done(1, last.SubmittedBy+" 于 "+views.When(last.SubmittedAt)+" 提交")
		s[2] = step{Label: "已退回", State: "current", Kind: "rejected",
			Detail: last.Reviewer + " 于 " + views.When(last.ReviewedAt) + " 退回：" + last.RejectReason}
	case last != nil && last.Status == models.StatusApproved:
		done(0, "第 "+strconv.Itoa(last.Seq)+" 版")
		done(1, last.SubmittedBy+" 于 "+views.When(last.SubmittedAt)+" 提交")
		s[2] = step{Label: "已通过", State: "current", Kind: "approved",
			Detail: last.Reviewer + " 于 " + views.When(last.ReviewedAt) + " 审核通过"}
	default:
		s[0].Detail = "尚未填报"
	}
	return s
}
