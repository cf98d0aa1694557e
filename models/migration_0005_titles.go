package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// migration0005Titles is migration 5's frozen Go step: it carries the titles the
// cadres reported into the register its SQL created. For each village, walking the years of
// its latest approved versions, a 星级 that appears or changes becomes a naming of
// that year at that level (and a change revokes the naming before it, dated 1
// January of the year); 和美 that appears becomes a naming, and disappears as a
// revocation. Entries are marked migrated, with no document number, dated 31
// December of the year and recorded at the approval of the version that carried
// them. It reads and writes with SQL only and its own helper: it never changes with
// today's code.
func migration0005Titles(tx *gorm.DB) error {
	rows, err := tx.Raw(`SELECT r.village_code, r.year, r.star_rating, r.hemei_built, r.reviewed_at
FROM report_versions r
JOIN (SELECT village_code, year, MAX(seq) AS seq FROM report_versions WHERE status = 'approved' GROUP BY village_code, year) la
  ON la.village_code = r.village_code AND la.year = r.year AND la.seq = r.seq
ORDER BY r.village_code, r.year`).Rows()
	if err != nil {
		return err
	}
	type rec struct {
		code     string
		year     int
		star     int
		hemei    bool
		reviewed time.Time
	}
	var recs []rec
	for rows.Next() {
		var r rec
		var reviewed any
		if err := rows.Scan(&r.code, &r.year, &r.star, &r.hemei, &reviewed); err != nil {
			rows.Close()
			return err
		}
		t, err := migration0005Time(reviewed)
		if err != nil || t == nil {
			rows.Close()
			return fmt.Errorf("reviewed_at of %s/%d: %v", r.code, r.year, err)
		}
		r.reviewed = *t
		recs = append(recs, r)
	}
	rows.Close()
	shanghai := time.FixedZone("CST", 8*3600)
	insert := func(code, kind, title string, level, year int, on, at time.Time, revokes *int64, reason string) (int64, error) {
		var newID int64
		err := tx.Raw(`INSERT INTO title_entries (village_code, kind, title, level, year, on_date, revokes_id, reason, migrated, recorded_at, recorded_by)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, true, ?, '迁移自村级填报') RETURNING id`, code, kind, title, level, year, on.UTC(), revokes, reason, at.UTC()).Row().Scan(&newID)
		return newID, err
	}
	var starID, hemeiID *int64
	prevCode, prevStar := "", 0
	for _, r := range recs {
		if r.code != prevCode {
			starID, hemeiID, prevCode, prevStar = nil, nil, r.code, 0
		}
		named := time.Date(r.year, 12, 31, 0, 0, 0, 0, shanghai)
		jan1 := time.Date(r.year, 1, 1, 0, 0, 0, 0, shanghai)
		if r.star != prevStar {
			if starID != nil {
				if _, err := insert(r.code, "revoked", "星级美丽乡村", prevStar, r.year, jan1, r.reviewed, starID, "迁移：村级填报的星级变化"); err != nil {
					return err
				}
				starID = nil
			}
			if r.star >= 1 && r.star <= 3 {
				id, err := insert(r.code, "named", "星级美丽乡村", r.star, r.year, named, r.reviewed, nil, "")
				if err != nil {
					return err
				}
				starID = &id
			}
			prevStar = r.star
		}
		switch {
		case r.hemei && hemeiID == nil:
			id, err := insert(r.code, "named", "和美乡村", 0, r.year, named, r.reviewed, nil, "")
			if err != nil {
				return err
			}
			hemeiID = &id
		case !r.hemei && hemeiID != nil:
			if _, err := insert(r.code, "revoked", "和美乡村", 0, r.year, jan1, r.reviewed, hemeiID, "迁移：村级填报取消和美乡村"); err != nil {
				return err
			}
			hemeiID = nil
		}
	}
	return nil
}

// migration0005Time reads an instant as the drivers give it: PostgreSQL a time,
// SQLite a time or the text it stored. A frozen copy, not today's helper.
func migration0005Time(v any) (*time.Time, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case time.Time:
		return &x, nil
	case []byte:
		return migration0005Time(string(x))
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02T15:04:05.999999999-07:00",
			"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999Z07:00", "2006-01-02 15:04:05"} {
			if t, err := time.Parse(layout, x); err == nil {
				return &t, nil
			}
		}
		return nil, fmt.Errorf("unreadable instant %q", x)
	}
	return nil, fmt.Errorf("unreadable instant %T", v)
}
