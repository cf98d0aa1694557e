package models_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"

	"gorm.io/gorm"
)

// TestRollupCacheNeverStale: two instances of the application share one database,
// each with its own cache. After every kind of change made through one instance,
// the roll-up of now that either serves from its cache equals a fresh count, for
// the district and for a street; and a roll-up as of a settled past instant kept
// by one is kept for good (asked again, it is not counted again).
func TestRollupCacheNeverStale(t *testing.T) {
	dsn := models.TestDSN(t)
	open := func() *gorm.DB {
		db, err := models.Open(dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if s, err := db.DB(); err == nil {
				s.Close()
			}
		})
		return db
	}
	dbA, dbB := open(), open()
	users, err := seeds.Fixture(dbA)
	if err != nil {
		t.Fatal(err)
	}
	ac := map[string]*models.Actor{}
	for name, u := range users {
		ac[name] = models.ActorFor(u, "127.0.0.1")
	}
	cacheA, cacheB := models.NewRollupCache(64), models.NewRollupCache(64)
	instances := map[string]struct {
		db *gorm.DB
		rc *models.RollupCache
	}{"A": {dbA, cacheA}, "B": {dbB, cacheB}}
	// keptAround checks what each instance keeps at the revision it reads with an
	// account (as a request does) against fresh reads by other functions: the
	// roll-up, as kept and as kept JSON; the years and their standing at instants
	// on either side of every window's close (which passes with no change); the
	// streets of each scope; whether demo accounts exist.
	keptAround := func(step string) {
		t.Helper()
		var windows []models.ReportingWindow
		if err := dbA.Find(&windows).Error; err != nil {
			t.Fatal(err)
		}
		instants := []time.Time{time.Now()}
		for _, w := range windows {
			instants = append(instants, w.Closes.Add(-time.Second), w.Closes, w.Closes.Add(time.Second))
		}
		years, err := models.Years(dbA)
		if err != nil {
			t.Fatal(err)
		}
		var demo int64
		if demo, err = models.CountDemoUsers(dbA); err != nil {
			t.Fatal(err)
		}
		for name, inst := range instances {
			for range 2 {
				_, rev, err := models.SessionUser(inst.db, users["d"].ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range []struct{ who, street string }{{"d", ""}, {"d", "331002001"}, {"s1", ""}} {
					fresh, err := models.ComputeRollup(dbA, ac[c.who], c.street, 2025, time.Now())
					if err != nil {
						t.Fatal(err)
					}
					got, err := inst.rc.RollupAt(inst.db, rev, ac[c.who], c.street, 2025, fresh.AsOf, true)
					if err != nil {
						t.Fatal(err)
					}
					b, err := inst.rc.RollupJSON(inst.db, rev, ac[c.who], c.street, 2025, fresh.AsOf, true)
					if err != nil {
						t.Fatal(err)
					}
					if want := asJSON(t, fresh); asJSON(t, got) != want || string(b) != want {
						t.Fatalf("after %s, instance %s kept at revision %d a stale roll-up for %s %q:\n%s\n%s\nfresh:\n%s",
							step, name, rev, c.who, c.street, asJSON(t, got), b, want)
					}
				}
				ys, err := inst.rc.Years(inst.db, rev, seeds.DistrictCode)
				if err != nil {
					t.Fatal(err)
				}
				if g, w := asJSON(t, ys.Years()), asJSON(t, years); g != w {
					t.Fatalf("after %s, instance %s kept the years %s, not %s", step, name, g, w)
				}
				for _, at := range instants {
					latest := 0
					for _, y := range years {
						open, err := models.YearInProgress(dbA, seeds.DistrictCode, y, at)
						if err != nil {
							t.Fatal(err)
						}
						if ys.InProgress(at)[y] != open {
							t.Fatalf("after %s, instance %s kept %d as in progress %t at %s, not %t", step, name, y, !open, at, open)
						}
						if !open {
							latest = y
						}
					}
					if ys.LatestClosed(at) != latest {
						t.Fatalf("after %s, instance %s kept %d as the latest closed year at %s, not %d", step, name, ys.LatestClosed(at), at, latest)
					}
				}
				for _, who := range []string{"d", "s1", "s2"} {
					kept, err := inst.rc.Streets(inst.db, rev, ac[who])
					if err != nil {
						t.Fatal(err)
					}
					fresh, err := models.ListStreets(dbA, ac[who])
					if err != nil {
						t.Fatal(err)
					}
					if g, w := asJSON(t, kept), asJSON(t, fresh); g != w {
						t.Fatalf("after %s, instance %s kept the streets of %s %s, not %s", step, name, who, g, w)
					}
				}
				if d, err := inst.rc.DemoAccounts(inst.db, rev); err != nil || d != (demo > 0) {
					t.Fatalf("after %s, instance %s kept demo accounts %t (%v), not %t", step, name, d, err, demo > 0)
				}
			}
		}
	}
	check := func(step string) {
		t.Helper()
		keptAround(step)
		for _, c := range []struct {
			who, street string
		}{{"d", ""}, {"d", "331002001"}, {"s1", ""}} {
			fresh, err := models.ComputeRollup(dbA, ac[c.who], c.street, 2025, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			want := asJSON(t, fresh)
			for name, inst := range map[string]struct {
				db *gorm.DB
				rc *models.RollupCache
			}{"A": {dbA, cacheA}, "B": {dbB, cacheB}} {
				// Twice: the second is served from the cache.
				for range 2 {
					got, err := inst.rc.Rollup(inst.db, ac[c.who], c.street, 2025, fresh.AsOf, true)
					if err != nil {
						t.Fatal(err)
					}
					if g := asJSON(t, got); g != want {
						t.Fatalf("after %s, instance %s kept a stale roll-up for %s %q:\n%s\nfresh:\n%s", step, name, c.who, c.street, g, want)
					}
				}
			}
		}
	}
	check("nothing")
	hits, _ := cacheA.Stats()
	if hits == 0 {
		t.Fatal("the cache kept nothing")
	}
	steps := []struct {
		name string
		do   func() error
	}{
		{"an approval", func() error { approved(t, dbB, ac["v1"], ac["s1"], seeds.FixA1, 2025, op(60_000_000)); return nil }},
		{"a submission", func() error {
			drafted(t, dbB, ac["v2"], seeds.FixA2, 2025, op(55_000_000))
			_, err := models.Submit(dbB, ac["v2"], seeds.FixA2, 2025, nil)
			return err
		}},
		{"a correction approved", func() error { approved(t, dbB, ac["v1"], ac["s1"], seeds.FixA1, 2025, op(40_000_000)); return nil }},
		{"a target", func() error {
			_, err := models.SetTarget(dbB, ac["d"], seeds.DistrictCode, models.IndIncome50w, 2025, 9000, "")
			return err
		}},
		{"a title named", func() error {
			_, err := models.NameTitle(dbB, ac["d"], models.TitleInput{VillageCode: seeds.FixA2, Title: models.TitleStar, Level: 2,
				Year: 2025, NamedOn: time.Date(2025, 12, 1, 0, 0, 0, 0, models.Shanghai), DocumentNo: "椒〔2025〕9号"})
			return err
		}},
		{"a company founded", func() error {
			_, err := models.CreateCompany(dbB, ac["d"], company("甲村强村公司", "91350100M000100Y43"),
				[]models.MemberInput{{VillageCode: seeds.FixA1, ShareMicro: pct(60), FromYear: 2023}})
			return err
		}},
		{"a village moved to another type", func() error {
			typ := "特色保护"
			_, err := models.UpdateVillage(dbB, ac["d"], models.VillageInput{Code: seeds.FixA2, Type: &typ})
			return err
		}},
		{"a reporting window set, closing soon", func() error {
			_, err := models.SetWindow(dbB, ac["d"], 2026, time.Now().Add(-time.Hour), time.Now().Add(2*time.Second))
			return err
		}},
		{"the last open year moved", func() error { return models.SetLastYear(dbB, ac["d"], 2028) }},
		{"a street added", func() error {
			return dbB.Exec("INSERT INTO streets (code, district_code, name) VALUES ('331002010', ?, '新街道')", seeds.DistrictCode).Error
		}},
		{"a street renamed", func() error {
			return dbB.Exec("UPDATE streets SET name = '新街道二' WHERE code = '331002010'").Error
		}},
		// As seeds.Demo adds them: demo accounts with the demo villages, in one
		// transaction.
		{"demo accounts added", func() error {
			return dbB.Transaction(func(tx *gorm.DB) error {
				if err := tx.Create(&models.Village{Code: "331002010201", Name: "演示村", StreetCode: "331002010",
					DistrictCode: seeds.DistrictCode, Type: "整治提升", ActiveFrom: 2000, Demo: true}).Error; err != nil {
					return err
				}
				return tx.Create(&models.User{Username: "demo-district", Name: "演示", Role: models.RoleDistrict,
					DistrictCode: seeds.DistrictCode, PasswordHash: "x", TokenVersion: 1, Demo: true}).Error
			})
		}},
		{"the year closed", func() error { _, err := models.CloseYear(dbB, ac["d"], 2025); return err }},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		check(s.name)
	}

	// A settled past instant is kept for good: asked again after a change, it is
	// served from the cache (and equals the fresh count, which never changes).
	past := time.Now().Add(-models.RollupSettle - time.Minute)
	first, err := cacheA.Rollup(dbA, ac["d"], "", 2025, past, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.Approve(dbB, ac["s1"], seeds.FixA2, 2025, nil); err != nil {
		t.Fatal(err)
	}
	h0, _ := cacheA.Stats()
	again, err := cacheA.Rollup(dbA, ac["d"], "", 2025, past, false)
	if err != nil {
		t.Fatal(err)
	}
	if h1, _ := cacheA.Stats(); h1 != h0+1 {
		t.Fatalf("the settled answer was counted again (hits %d → %d)", h0, h1)
	}
	fresh, err := models.ComputeRollup(dbA, ac["d"], "", 2025, past)
	if err != nil {
		t.Fatal(err)
	}
	if a, b, c := asJSON(t, first), asJSON(t, again), asJSON(t, fresh); a != b || b != c {
		t.Fatalf("settled answer: first %s\nagain %s\nfresh %s", a, b, c)
	}
	// The year closed after that instant: it was in progress then, as YearInProgress
	// (its own statements) says, though the closing is among the kept inputs.
	was, err := models.YearInProgress(dbA, seeds.DistrictCode, 2025, past)
	if err != nil {
		t.Fatal(err)
	}
	if _, rev, err := models.SessionUser(dbB, users["d"].ID); err != nil || !was {
		t.Fatalf("2025 not in progress before its closing (%v)", err)
	} else if ru, err := cacheB.RollupAt(dbB, rev, ac["d"], "", 2025, past, false); err != nil {
		t.Fatal(err)
	} else if ru.InProgress != was {
		t.Fatalf("the settled answer's year in progress: %t, not %t", ru.InProgress, was)
	}
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDataRevisionMoves: every table the figures read moves the data revision on
// insert, update and delete (migration 0011's triggers); a table added later must
// get its triggers too, or be named here as one the figures never read.
func TestDataRevisionMoves(t *testing.T) {
	db := models.OpenTest(t)
	notRead := map[string]bool{"schema_version": true, "data_revision": true, "users": true, "audit_entries": true,
		"login_throttles": true, "bulletins": true, "import_mappings": true, "report_openings": true,
		// The totals are written by the cells' triggers alone, in the transaction
		// whose change of a cell moves the revision (and by the repair, which moves
		// it itself).
		"rollup_street_totals": true, "rollup_district_totals": true,
		// So are the regions' companies, by the company rows' triggers.
		"rollup_region_companies": true, "rollup_region_totals": true}
	var tables, triggered []string
	if db.Dialector.Name() == "postgres" {
		db.Raw(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`).Scan(&tables)
		db.Raw(`SELECT DISTINCT c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND g.tgname LIKE 'data_revision_%' AND g.tgtype & 28 = 28`).Scan(&triggered)
	} else {
		db.Raw(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).Scan(&tables)
		// A table counts when it has all three triggers.
		db.Raw(`SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'data_revision_%'
GROUP BY tbl_name HAVING COUNT(*) = 3`).Scan(&triggered)
	}
	has := map[string]bool{}
	for _, n := range triggered {
		has[n] = true
	}
	var missing []string
	for _, n := range tables {
		if !notRead[n] && !has[n] {
			missing = append(missing, n)
		}
	}
	sort.Strings(missing)
	if len(tables) < 20 || len(missing) > 0 {
		t.Fatalf("tables without the data revision's triggers: %s (of %d tables)", strings.Join(missing, ", "), len(tables))
	}
	rev := func() int64 {
		var n int64
		if err := db.Raw("SELECT n FROM data_revision WHERE id = 1").Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	r0 := rev()
	if err := db.Exec("INSERT INTO settings (key, value) VALUES ('revision_probe', 'a')").Error; err != nil {
		t.Fatal(err)
	}
	r1 := rev()
	if err := db.Exec("UPDATE settings SET value = 'b' WHERE key = 'revision_probe'").Error; err != nil {
		t.Fatal(err)
	}
	r2 := rev()
	if err := db.Exec("DELETE FROM settings WHERE key = 'revision_probe'").Error; err != nil {
		t.Fatal(err)
	}
	r3 := rev()
	if r1 <= r0 || r2 <= r1 || r3 <= r2 {
		t.Fatalf("revision %d → %d → %d → %d", r0, r1, r2, r3)
	}
	// A transaction that changes many rows moves it at least once, and a reader sees
	// the move exactly when it sees the change.
	err := db.Transaction(func(tx *gorm.DB) error {
		for i := range 3 {
			if err := tx.Exec("INSERT INTO settings (key, value) VALUES (?, 'x')", "probe_"+string(rune('a'+i))).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || rev() <= r3 {
		t.Fatalf("a transaction of three inserts: revision %d → %d (%v)", r3, rev(), err)
	}
}
