package models

import (
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// A series is the versions of one thing a village keeps and its street approves —
// a village-year's report, a workshop, an indicator's value for a village-year —
// and the one rule they share (docs/domain.md, "Versions and approval"):
//
//   - a version is draft → submitted → approved, or submitted → rejected with a
//     reason; a submitted version may be withdrawn to a draft before review;
//   - at most one version of a series is open (draft or submitted), guarded by a
//     partial unique index on each table as well as here;
//   - every edit and every move names the optimistic version number it saw; a stale
//     number changes nothing and answers 409. Version numbers grow across the whole
//     series, so a number never names two different versions;
//   - a new draft starts from the latest version (the approved figures, or the
//     rejected version it corrects);
//   - the version that counts is the latest approved one (highest seq approved), and
//     as of an instant T the latest approved by T;
//   - every edit and move writes its audit entry in the same transaction.
//
// One series value describes one kind of version: its table (through V), the
// columns that name one series, the columns a draft edit writes and what the audit
// log keeps. The checks of who may act (scope, role, year) stay with the callers.
type series[V any, P versioned[V]] struct {
	// kind is the audit object type and the prefix of the audit actions.
	kind string
	// keys are the columns that name one series ("village_code", "year").
	keys []string
	// edits are the columns a draft edit writes (besides version and updated_at).
	edits []string
	// busy is the conflict message for an edit of a submitted version.
	busy string
	// startAction is the audit action of a draft started from the latest version.
	startAction string
	// audit is what the audit log keeps of a version on an edit, and moveAudit on a
	// state change (nil: audit).
	audit, moveAudit func(P) any
	// approved runs in the transaction that approves versions, with them (the
	// report's maintained current table and roll-up cells).
	approved func(tx *gorm.DB, vs []V) error
}

// versioned is a pointer to a version row: its workflow (promoted from the
// embedded Workflow), its id, and a way to make a copy a new row.
type versioned[V any] interface {
	*V
	flow() *Workflow
	rowID() uint
	setRowID(uint)
	asNewRow()
}

func (w *Workflow) flow() *Workflow { return w }

// seriesKey names one series: the values of the series' key columns, in order, and
// the audit entry's object key and scope.
type seriesKey struct {
	values []any
	object string
	scope  AuditScope
}

// where narrows q to the versions of series k.
func (s *series[V, P]) where(q *gorm.DB, k seriesKey) *gorm.DB {
	for i, col := range s.keys {
		q = q.Where(clause.Eq{Column: clause.Column{Name: col}, Value: k.values[i]})
	}
	return q
}

// open is the series' open version (draft or submitted), nil when none.
func (s *series[V, P]) open(tx *gorm.DB, k seriesKey) (P, error) {
	return s.take(s.where(tx, k).Where("status IN ?", []string{StatusDraft, StatusSubmitted}))
}

// latest is the series' latest version whatever its state, nil when none.
func (s *series[V, P]) latest(tx *gorm.DB, k seriesKey) (P, error) {
	return s.take(s.where(tx, k).Order("seq DESC"))
}

// asOf is the version that counts at t: the latest approved by t, nil when none.
func (s *series[V, P]) asOf(db *gorm.DB, k seriesKey, t time.Time) (P, error) {
	return s.take(s.where(db, k).Where("status = ? AND reviewed_at <= ?", StatusApproved, t).Order("seq DESC"))
}

func (s *series[V, P]) take(q *gorm.DB) (P, error) {
	var v V
	err := q.Take(&v).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// history is every version of the series, newest first.
func (s *series[V, P]) history(db *gorm.DB, k seriesKey) ([]V, error) {
	var out []V
	err := s.where(db, k).Order("seq DESC").Find(&out).Error
	return out, err
}

// current picks, from a history newest first, the latest approved version and the
// open one (nil when none).
func current[V any, P versioned[V]](history []V) (approved, open P) {
	for i := range history {
		v := P(&history[i])
		if v.flow().IsOpen() && open == nil {
			open = v
		}
		if v.flow().Status == StatusApproved && approved == nil {
			approved = v
		}
	}
	return approved, open
}

// latestApproved is, per series, its key columns and the seq of its latest approved
// version (approved by asOf when asOf is not nil), for a join: the "latest approved
// counts" rule as one subquery. Callers narrow it further with Where.
func (s *series[V, P]) latestApproved(db *gorm.DB, asOf *time.Time) *gorm.DB {
	cols := strings.Join(s.keys, ", ")
	q := db.Model(new(V)).Select(cols+", MAX(seq) AS seq").Where("status = ?", StatusApproved).Group(cols)
	if asOf != nil {
		q = q.Where("reviewed_at <= ?", *asOf)
	}
	return q
}

// openAndLatest is the series' open version (draft or submitted; nil when none)
// and its latest version whatever its state (nil when none), in one statement.
func (s *series[V, P]) openAndLatest(tx *gorm.DB, k seriesKey) (open, latest P, err error) {
	var rows []V
	maxSeq := s.where(tx.Session(&gorm.Session{NewDB: true}).Model(new(V)).Select("MAX(seq)"), k)
	err = s.where(tx, k).Where("(status IN ? OR seq = (?))", []string{StatusDraft, StatusSubmitted}, maxSeq).
		Order("seq DESC").Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return nil, nil, err
	}
	for i := range rows {
		if v := P(&rows[i]); v.flow().IsOpen() && open == nil {
			open = v
		}
	}
	return open, P(&rows[0]), nil
}

// save edits the series' open draft with edit, which applies the input and
// validates the result. With no open version it starts a draft from the latest
// version, or from first() when the series has none (nil first: not found).
// expected is the version number the editor saw (0 for a new draft).
func (s *series[V, P]) save(db *gorm.DB, a *Actor, k seriesKey, expected int, first func() V, edit func(P) error) (P, error) {
	var out V
	err := writeTx(db, func(tx *gorm.DB) error {
		d, err := s.draft(tx, a, k, expected, first, edit)
		if err != nil {
			return err
		}
		if err := s.writeDraft(tx, a, k, d); err != nil {
			return err
		}
		out = d.row
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// draftEdit is a draft about to be written: a new one (before is nil) following
// the latest version, or an edit of the open draft before.
type draftEdit[V any, P versioned[V]] struct {
	row    V
	before P
	action string
}

// draft is the edit of the series' open draft (or the new draft started from the
// latest version, or from first()), edited and checked, not written yet: a
// submitted version is busy (409), a version number other than the one the
// editor saw is stale (409).
func (s *series[V, P]) draft(tx *gorm.DB, a *Actor, k seriesKey, expected int, first func() V, edit func(P) error) (*draftEdit[V, P], error) {
	open, last, err := s.openAndLatest(tx, k)
	if err != nil {
		return nil, err
	}
	if open != nil && open.flow().Status == StatusSubmitted {
		return nil, Conflict(s.busy)
	}
	d := &draftEdit[V, P]{action: s.kind + ".edit"}
	if open == nil {
		if expected != 0 {
			return nil, errStale
		}
		var prev Workflow
		switch {
		case last != nil:
			d.row = *last
			P(&d.row).asNewRow()
			prev = *last.flow()
			d.action = s.startAction
		case first != nil:
			d.row = first()
			d.action = s.kind + ".create"
		default:
			return nil, ErrNotFound
		}
		*P(&d.row).flow() = newDraft(&prev, a)
		if err := edit(&d.row); err != nil {
			return nil, err
		}
		return d, nil
	}
	if expected != open.flow().Version {
		return nil, errStale
	}
	d.before, d.row = open, *open
	if err := edit(&d.row); err != nil {
		return nil, err
	}
	P(&d.row).flow().Version = open.flow().Version + 1
	return d, nil
}

// writeDraft writes a draft edit and its audit entry: a new draft is inserted (a
// concurrent draft of the same series, caught by the unique seq or one-open index,
// is a stale edit), an edit updates the open draft guarded by its id, version and
// state.
func (s *series[V, P]) writeDraft(tx *gorm.DB, a *Actor, k seriesKey, d *draftEdit[V, P]) error {
	if err := s.writeRow(tx, d, nil); err != nil {
		return err
	}
	return Audit(tx, a, d.action, s.kind, k.object, k.scope, s.auditOf(d.before), s.audit(&d.row))
}

// auditOf is what the audit log keeps of a version, nil for none.
func (s *series[V, P]) auditOf(v P) any {
	if v == nil {
		return nil
	}
	return s.audit(v)
}

// writeRow writes the draft edit's row as it is now: inserted when new, else the
// edited columns, the workflow's and the extra ones updated on the open draft.
func (s *series[V, P]) writeRow(tx *gorm.DB, d *draftEdit[V, P], extra []string) error {
	if d.before == nil {
		if err := tx.Omit(clause.Associations).Create(&d.row).Error; err != nil {
			if isUniqueViolation(err) {
				return errStale
			}
			return err
		}
		return nil
	}
	cols := append(append([]string{}, s.edits...), "version", "updated_at")
	if P(&d.row).flow().Status != StatusDraft {
		cols = append(cols, workflowColumns...)
	}
	seen := map[string]bool{}
	var sel []string
	for _, c := range append(cols, extra...) {
		if !seen[c] {
			seen[c] = true
			sel = append(sel, c)
		}
	}
	res := tx.Model(new(V)).Where("id = ? AND version = ? AND status = ?", d.before.rowID(), d.before.flow().Version, StatusDraft).
		Select(sel).Updates(P(&d.row))
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return errStale
	}
	return nil
}

// saveSubmit saves the draft (as save) and submits it in the same transaction,
// writing the version once, already submitted, with both audit entries (the edit
// and the submission, as the two steps would write them). When a check refuses the
// submission the draft is saved all the same: saved is the draft and err the
// refusal; saved is nil when the save itself failed.
func (s *series[V, P]) saveSubmit(db *gorm.DB, a *Actor, k seriesKey, expected int, first func() V, edit func(P) error,
	checks ...func(tx *gorm.DB, v P) ([]string, error)) (saved, submitted P, err error) {
	var draft, sub V
	var refused error
	err = writeTx(db, func(tx *gorm.DB) error {
		refused = nil
		d, err := s.draft(tx, a, k, expected, first, edit)
		if err != nil {
			return err
		}
		draft = d.row
		next := d.row
		var extra []string
		for _, check := range checks {
			cols, err := check(tx, &next)
			if err != nil {
				refused = err
				if err := s.writeDraft(tx, a, k, d); err != nil {
					return err
				}
				draft = d.row
				return nil
			}
			extra = append(extra, cols...)
		}
		ch := submitChange(a, s.kind)
		wf := P(&next).flow()
		ch.apply(wf, now())
		wf.Version++
		sd := &draftEdit[V, P]{row: next, before: d.before}
		if err := s.writeRow(tx, sd, extra); err != nil {
			return err
		}
		sub = sd.row
		// A new draft is written once, already submitted: the draft's id is its.
		P(&draft).setRowID(P(&sub).rowID())
		draftAudit := s.audit(&draft)
		ma := s.moveAudit
		if ma == nil {
			ma = s.audit
		}
		entries := []AuditEntry{
			auditEntry(a, d.action, s.kind, k.object, k.scope, s.auditOf(d.before), draftAudit),
			auditEntry(a, ch.action, s.kind, k.object, k.scope, ma(&draft), ma(&sub)),
		}
		return tx.Create(&entries).Error
	})
	if err != nil {
		return nil, nil, err
	}
	if refused != nil {
		return &draft, nil, refused
	}
	return &draft, &sub, nil
}

// insert writes a new draft and its audit entry; a concurrent draft of the same
// series (the unique seq or one-open index) is a stale edit.
func (s *series[V, P]) insert(tx *gorm.DB, a *Actor, k seriesKey, action string, v *V) error {
	if err := tx.Omit(clause.Associations).Create(v).Error; err != nil {
		if isUniqueViolation(err) {
			return errStale
		}
		return err
	}
	return Audit(tx, a, action, s.kind, k.object, k.scope, nil, s.audit(v))
}

// submit sends the open draft for review. Each check runs in the same transaction
// on the draft about to be submitted, before it moves: it may refuse the submission
// (a flagged draft without a note), or change the draft and name the columns it
// changed, which the move writes too.
func (s *series[V, P]) submit(db *gorm.DB, a *Actor, k seriesKey, expected *int, checks ...func(tx *gorm.DB, v P) ([]string, error)) (P, error) {
	return s.move(db, a, k, expected, submitChange(a, s.kind), checks...)
}

// withdraw takes the submitted version back to a draft before review (撤回).
func (s *series[V, P]) withdraw(db *gorm.DB, a *Actor, k seriesKey, expected *int) (P, error) {
	return s.move(db, a, k, expected, withdrawChange(s.kind))
}

// approve approves the submitted version: from now on it is the one that counts.
func (s *series[V, P]) approve(db *gorm.DB, a *Actor, k seriesKey, expected *int) (P, error) {
	return s.move(db, a, k, expected, approveChange(a, s.kind))
}

// reject rejects the submitted version with a reason (checked and trimmed here).
func (s *series[V, P]) reject(db *gorm.DB, a *Actor, k seriesKey, expected *int, reason string) (P, error) {
	reason, err := checkReason(reason)
	if err != nil {
		return nil, err
	}
	return s.move(db, a, k, expected, rejectChange(a, s.kind, reason))
}

// move moves the series' open version by ch, runs the approval hook when it
// approves, and writes the audit entry, in one transaction.
func (s *series[V, P]) move(db *gorm.DB, a *Actor, k seriesKey, expected *int, ch stateChange, checks ...func(tx *gorm.DB, v P) ([]string, error)) (P, error) {
	var out V
	err := writeTx(db, func(tx *gorm.DB) error {
		open, err := s.open(tx, k)
		if err != nil {
			return err
		}
		if open == nil {
			return Conflict(wrongStateMessage(ch))
		}
		before := *open
		out = *open
		var extra []string
		if P(&out).flow().Status == ch.from && (expected == nil || *expected == P(&out).flow().Version) {
			for _, check := range checks {
				cols, err := check(tx, &out)
				if err != nil {
					return err
				}
				extra = append(extra, cols...)
			}
		}
		if err := moveState(tx, P(&out), expected, ch, extra...); err != nil {
			return err
		}
		if P(&out).flow().Status == StatusApproved && s.approved != nil {
			if err := s.approved(tx, []V{out}); err != nil {
				return err
			}
		}
		ma := s.moveAudit
		if ma == nil {
			ma = s.audit
		}
		return Audit(tx, a, ch.action, s.kind, k.object, k.scope, ma(&before), ma(&out))
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// enter writes a new version approved on entry, for a figure its approver enters
// itself (a district's naming list, a street's own count): from the latest version
// (or first() when none), edited by edit, naming the latest version's number
// (expected; 0 when none). A series with an open version is a conflict.
func (s *series[V, P]) enter(db *gorm.DB, a *Actor, k seriesKey, expected int, first func() V, edit func(P) error) (P, error) {
	var out V
	err := writeTx(db, func(tx *gorm.DB) error {
		open, err := s.open(tx, k)
		if err != nil {
			return err
		}
		if open != nil {
			return Conflict(s.busy)
		}
		last, err := s.latest(tx, k)
		if err != nil {
			return err
		}
		var prev *Workflow
		switch {
		case last != nil:
			out, prev = *last, last.flow()
			P(&out).asNewRow()
		case first != nil:
			out = first()
		default:
			return ErrNotFound
		}
		seen := 0
		if prev != nil {
			seen = prev.Version
		}
		if expected != seen {
			return errStale
		}
		if err := edit(&out); err != nil {
			return err
		}
		vs := []V{out}
		if err := s.record(tx, a, now(), true, vs, []*Workflow{prev}); err != nil {
			if isUniqueViolation(err) {
				return errStale
			}
			return err
		}
		out = vs[0]
		var before any
		if last != nil {
			before = s.audit(last)
		}
		return Audit(tx, a, s.kind+".enter", s.kind, k.object, k.scope, before, s.audit(&out))
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// record writes new versions that enter already submitted — approved too when
// approve is set (an import with the district's reason, a figure the district
// enters itself) — each following its series' latest version (latest[i], nil when
// none), and runs the approval hook. The caller writes the audit entries. A
// concurrent version of one of the series is a unique violation.
func (s *series[V, P]) record(tx *gorm.DB, a *Actor, at time.Time, approve bool, vs []V, latest []*Workflow) error {
	for i := range vs {
		prev := Workflow{}
		if latest[i] != nil {
			prev = *latest[i]
		}
		w := P(&vs[i]).flow()
		*w = newDraft(&prev, a)
		submitChange(a, s.kind).apply(w, at)
		if approve {
			approveChange(a, s.kind).apply(w, at)
		}
	}
	if err := tx.Omit(clause.Associations).CreateInBatches(vs, 500).Error; err != nil {
		return err
	}
	if approve && s.approved != nil {
		return s.approved(tx, vs)
	}
	return nil
}

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

// moveState applies ch to the open row (writing the extra columns too), in tx, guarded by the expected version (nil:
// any) and by the row's id, version and state in the UPDATE itself, so that of two
// concurrent moves exactly one succeeds.
func moveState[V any, P versioned[V]](tx *gorm.DB, row P, expected *int, ch stateChange, extra ...string) error {
	wf := row.flow()
	if wf.Status != ch.from {
		return Conflict(wrongStateMessage(ch))
	}
	if expected != nil && *expected != wf.Version {
		return errStale
	}
	old := wf.Version
	ch.apply(wf, now())
	wf.Version = old + 1
	res := tx.Model(new(V)).Where("id = ? AND version = ? AND status = ?", row.rowID(), old, ch.from).
		Select(append(append([]string{}, workflowColumns...), extra...)).Updates(row)
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
