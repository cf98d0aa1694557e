package models

import (
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// The approval workflow shared by yearly reports and workshops (docs/domain.md, "Versions and approval").

// newDraft is the workflow of a new draft following the latest version: the next
// sequence number, and a version number that grows across the whole series, so
// that a number never names two different versions.
func newDraft(last *Workflow, a *Actor) Workflow {
	return Workflow{Seq: last.Seq + 1, Status: StatusDraft, Version: last.Version + 1, CreatedByID: a.UserID}
}

// stateChange is a move of the workflow from one state to another.
type stateChange struct {
	from, action string
	apply        func(w *Workflow, at time.Time)
}

func submitChange(a *Actor, kind string) stateChange {
	return stateChange{StatusDraft, kind + ".submit", func(w *Workflow, at time.Time) {
		w.Status, w.SubmittedAt, w.SubmittedBy = StatusSubmitted, &at, a.Name
	}}
}

func approveChange(a *Actor, kind string) stateChange {
	return stateChange{StatusSubmitted, kind + ".approve", func(w *Workflow, at time.Time) {
		w.Status, w.ReviewedAt, w.ReviewerID, w.Reviewer = StatusApproved, &at, &a.UserID, a.Name
	}}
}

func rejectChange(a *Actor, kind, reason string) stateChange {
	return stateChange{StatusSubmitted, kind + ".reject", func(w *Workflow, at time.Time) {
		w.Status, w.ReviewedAt, w.ReviewerID, w.Reviewer, w.RejectReason = StatusRejected, &at, &a.UserID, a.Name, reason
	}}
}

// withdrawChange takes a submitted version back to a draft before anyone reviewed
// it: the submission's time and author are cleared, the version stays the same row.
func withdrawChange(kind string) stateChange {
	return stateChange{StatusSubmitted, kind + ".withdraw", func(w *Workflow, _ time.Time) {
		w.Status, w.SubmittedAt, w.SubmittedBy = StatusDraft, nil, ""
	}}
}

// checkReason validates a rejection reason and returns it trimmed.
func checkReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return "", Invalid("reason", "请填写退回理由")
	case utf8.RuneCountInString(reason) > MaxReasonChars || BadText(reason):
		return "", Invalid("reason", "退回理由最多 500 字")
	}
	return reason, nil
}

// workflowColumns are the columns a state change writes.
var workflowColumns = []string{"status", "version", "submitted_at", "submitted_by", "reviewed_at", "reviewer_id",
	"reviewer", "reject_reason", "updated_at"}

// moveState applies ch to the open row (whose workflow is wf), in tx, guarded by the
// expected version (nil: any) and by the row's id, version and state in the UPDATE
// itself, so that of two concurrent moves exactly one succeeds.
func moveState[T any](tx *gorm.DB, row *T, id uint, wf *Workflow, expected *int, ch stateChange) error {
	if wf.Status != ch.from {
		return Conflict(wrongStateMessage(ch))
	}
	if expected != nil && *expected != wf.Version {
		return errStale
	}
	old := wf.Version
	ch.apply(wf, now())
	wf.Version = old + 1
	res := tx.Model(new(T)).Where("id = ? AND version = ? AND status = ?", id, old, ch.from).
		Select(workflowColumns).Updates(row)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return errStale
	}
	return nil
}

func wrongStateMessage(ch stateChange) string {
	switch {
	case ch.from == StatusDraft:
		return "没有可提交的草稿（可能已提交或已审核）"
	case strings.HasSuffix(ch.action, ".withdraw"):
		return "没有可撤回的提交（尚未提交，或街道已审核）"
	}
	return "没有待审核的版本（可能已被审核）"
}

var errStale = Conflict("数据已被他人修改（版本号已过期），请刷新后重试")
