package models

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// schemaModels are every GORM struct that owns a table. Add new models here: the
// drift test then checks them against the frozen migrations.
var schemaModels = []any{
	&District{}, &Street{}, &Village{}, &User{}, &ReportVersion{}, &Target{}, &AuditEntry{},
	&Setting{}, &VillageRevision{}, &ReportingWindow{}, &SubmitException{}, &Company{},
	&CompanyMember{}, &CompanyShareholder{}, &CompanyYear{}, &CompanyDividend{}, &Workshop{}, &WorkshopVersion{},
	&WorkshopStar{}, &EvidenceFile{}, &LoginThrottle{}, &CurrentReport{}, &RollupCell{}, &DistrictSetting{}, &YearClosing{}, &TitleEntry{}, &CompanyStatus{},
	&Indicator{}, &IndicatorRevision{}, &IndicatorValue{}, &Bulletin{}, &DataRevision{}, &ImportMapping{}, &ReportOpening{}, &RollupCompanyCell{}, &IndicatorCell{}, &RollupStreetTotal{}, &RollupDistrictTotal{}, &RollupRegionCompany{}, &RollupRegionTotal{},
}

// schemaListing lists the database's tables, columns, types, defaults, indexes,
// constraints and sequences, one per line, sorted, so two databases compare by text.
// SQLite keeps each object's CREATE statement (normalised by SQLite itself), which
// says all of it.
func schemaListing(t *testing.T, db *gorm.DB) string {
	t.Helper()
	var lines []string
	if db.Dialector.Name() != "postgres" {
		if err := db.Raw(`SELECT type || ' ' || name || ' ON ' || tbl_name || ': ' || sql FROM sqlite_master
WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'`).Scan(&lines).Error; err != nil {
			t.Fatal(err)
		}
		sort.Strings(lines)
		return strings.Join(lines, "\n") + "\n"
	}
	var schema string
	if err := db.Raw("SELECT current_schema()").Scan(&schema).Error; err != nil {
		t.Fatal(err)
	}
	queries := []string{
		`SELECT 'column ' || table_name || '.' || column_name || ' #' || ordinal_position || ' ' || data_type ||
 COALESCE('(' || character_maximum_length || ')', '') || CASE WHEN is_nullable = 'NO' THEN ' NOT NULL' ELSE '' END ||
 COALESCE(' DEFAULT ' || column_default, '')
FROM information_schema.columns WHERE table_schema = current_schema()`,
		`SELECT 'index ' || tablename || ' ' || indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = current_schema()`,
		`SELECT 'constraint ' || c.relname || ' ' || k.conname || ' ' || k.contype::text || ': ' || pg_get_constraintdef(k.oid)
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = k.connamespace
WHERE n.nspname = current_schema()`,
		`SELECT 'sequence ' || sequence_name || ' ' || data_type || ' ' || increment::text FROM information_schema.sequences WHERE sequence_schema = current_schema()`,
	}
	for _, q := range queries {
		var part []string
		if err := db.Raw(q).Scan(&part).Error; err != nil {
			t.Fatal(err)
		}
		lines = append(lines, part...)
	}
	for i := range lines {
		lines[i] = strings.ReplaceAll(lines[i], " "+schema+".", " ")
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}

// ddlLogger keeps the statements that change the schema.
type ddlLogger struct {
	logger.Interface
	stmts *[]string
}

func (l *ddlLogger) LogMode(logger.LogLevel) logger.Interface { return l }

func (l *ddlLogger) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	sql, _ := fc()
	for _, p := range []string{"CREATE", "ALTER", "DROP", "INSERT", "PRAGMA"} {
		if strings.HasPrefix(sql, p) {
			*l.stmts = append(*l.stmts, sql)
		}
	}
}

// structureLines lists a database's columns (name, type, null, default, key; not
// their order) and, separately, its indexes and constraints, sorted.
func structureLines(t *testing.T, db *gorm.DB) (columns, other []string) {
	t.Helper()
	var colQ, otherQ []string
	if db.Dialector.Name() != "postgres" {
		colQ = []string{`SELECT 'column ' || m.name || '.' || p.name || ' ' || p.type || CASE WHEN p."notnull" THEN ' NOT NULL' ELSE '' END ||
 COALESCE(' DEFAULT ' || p.dflt_value, '') || CASE WHEN p.pk > 0 THEN ' PK' || p.pk ELSE '' END
FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`}
		otherQ = []string{`SELECT 'index ' || name || ': ' || sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`,
			`SELECT 'fk ' || m.name || '.' || f."from" || ' -> ' || f."table" || '.' || f."to" || ' ' || f.on_update || ' ' || f.on_delete
FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table'`}
	} else {
		colQ = []string{`SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type ||
 COALESCE('(' || character_maximum_length || ')', '') || CASE WHEN is_nullable = 'NO' THEN ' NOT NULL' ELSE '' END ||
 COALESCE(' DEFAULT ' || column_default, '')
FROM information_schema.columns WHERE table_schema = current_schema() AND is_generated = 'NEVER'`}
		// A generated column (rollup_*_totals.packed) is the database's, not a
		// struct's (gorm:"-:migration"); SQLite's table_info leaves it out too.
		otherQ = []string{`SELECT 'index ' || tablename || ' ' || indexname || ': ' || replace(indexdef, current_schema() || '.', '') FROM pg_indexes WHERE schemaname = current_schema()`,
			`SELECT 'constraint ' || c.relname || ' ' || k.conname || ' ' || k.contype::text || ': ' || pg_get_constraintdef(k.oid)
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = k.connamespace
WHERE n.nspname = current_schema()`}
	}
	run := func(qs []string) []string {
		var out []string
		for _, q := range qs {
			var part []string
			if err := db.Raw(q).Scan(&part).Error; err != nil {
				t.Fatal(err)
			}
			out = append(out, part...)
		}
		sort.Strings(out)
		return out
	}
	return run(colQ), run(otherQ)
}

// openAt opens a fresh test database migrated to version v only (0: empty).
func openAt(t *testing.T, dsn string, v int) *gorm.DB {
	t.Helper()
	db, err := openUnmigrated(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeDB(db) })
	if v > 0 {
		if err := WithLock(db, func(tx *gorm.DB) error { return MigrateTo(tx, v) }); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// diffListings fails the test with the lines only one listing has.
func diffListings(t *testing.T, what, want, got string) {
	t.Helper()
	if want == got {
		return
	}
	w := map[string]bool{}
	for _, l := range strings.Split(want, "\n") {
		w[l] = true
	}
	g := map[string]bool{}
	for _, l := range strings.Split(got, "\n") {
		g[l] = true
	}
	var b strings.Builder
	for l := range w {
		if !g[l] {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	for l := range g {
		if !w[l] {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	t.Fatalf("%s: schemas differ (- want, + got):\n%s", what, b.String())
}

// TestMigrationsV2MatchTheFirstReleases: migrating to version 2 gives exactly the
// schema that the code before frozen migrations (AutoMigrate of the structs) created;
// testdata holds the listings dumped from databases that code made.
func TestMigrationsV2MatchTheFirstReleases(t *testing.T) {
	db := openAt(t, TestDSN(t), 2)
	want, err := os.ReadFile(filepath.Join("testdata", "schema_v2."+TestBackend()+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	diffListings(t, "v2 against the first releases", string(want), schemaListing(t, db))
}

// TestModelsMatchMigrations fails when a GORM struct and the frozen schema drift
// apart (a field, size, index or table changed without a migration): AutoMigrate of
// every model on a freshly migrated database must change nothing.
func TestModelsMatchMigrations(t *testing.T) {
	db := OpenTest(t)
	before := schemaListing(t, db)
	var ddl []string
	capture := &ddlLogger{Interface: logger.Discard, stmts: &ddl}
	if err := db.Session(&gorm.Session{Logger: capture}).AutoMigrate(schemaModels...); err != nil {
		t.Fatal(err)
	}
	if after := schemaListing(t, db); after != before {
		t.Logf("GORM ran, to bring the schema to the structs (a start for the new migration's %s file):\n%s",
			TestBackend(), strings.Join(ddl, ";\n")+";")
		diffListings(t, "AutoMigrate of the models on the migrated schema (add a migration for the change)", before, after)
	}
	// AutoMigrate leaves some differences alone (a PostgreSQL column's length, a
	// default); a database made by AutoMigrate alone must have the same columns, and
	// its indexes and constraints must all be in the migrated one.
	structs, err := openUnmigrated(TestDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB(structs)
	if err := structs.AutoMigrate(schemaModels...); err != nil {
		t.Fatal(err)
	}
	wantCols, wantOther := structureLines(t, structs)
	gotCols, gotOther := structureLines(t, db)
	var gotModelCols []string
	for _, l := range gotCols {
		if !strings.HasPrefix(l, "column schema_version.") {
			gotModelCols = append(gotModelCols, l)
		}
	}
	diffListings(t, "columns of the structs against the migrated schema (add a migration for the change)",
		strings.Join(wantCols, "\n"), strings.Join(gotModelCols, "\n"))
	have := map[string]bool{}
	for _, l := range gotOther {
		have[l] = true
	}
	for _, l := range wantOther {
		if !have[l] {
			t.Errorf("the structs declare %q but no migration creates it", l)
		}
	}
	// Every table belongs to a model (or is the version table).
	owned := map[string]bool{"schema_version": true}
	for _, m := range schemaModels {
		stmt := &gorm.Statement{DB: db}
		if err := stmt.Parse(m); err != nil {
			t.Fatal(err)
		}
		owned[stmt.Schema.Table] = true
	}
	tables, err := db.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		if !owned[tb] && !strings.HasPrefix(tb, "sqlite_") {
			t.Errorf("table %s has no model in schemaModels", tb)
		}
	}
}

// upgradeFixture is data written at one schema version (with frozen SQL, as a
// database of that version held it: the columns of that version, and whatever the
// code of that version maintained beside it) and checked after upgrading to the
// latest. The fixture of version v is written right after migration v.
type upgradeFixture struct {
	insert func(t *testing.T, db *gorm.DB)
	check  func(t *testing.T, db *gorm.DB)
}

// upgradeFixtures: the data each version introduced. Add one for a new version
// whose tables hold data.
var upgradeFixtures = map[int]upgradeFixture{
	1: {insert: insertV1, check: checkV1},
	2: {insert: insertV2, check: checkV2},
	8: {insert: insertV8, check: checkV8},
}

// insertV8 adds a catalogue indicator with values as version 8 kept them: a value
// approved then corrected, a draft after it, a value of a village merged away by
// the year, and one of another year.
func insertV8(t *testing.T, db *gorm.DB) {
	execT(t, db, `INSERT INTO indicators (district_code, code, name, kind, unit, entered_by, from_year, rollup, plan, wording, version, created_at, updated_at)
 VALUES ('110101', 'jobs', '公益性岗位', 'count', '个', 'village', 2023, 'sum', false, '', 1, ?, ?)`, fixtureAt, fixtureAt)
	iv := `INSERT INTO indicator_values (indicator_id, village_code, year, seq, status, version, created_by_id, submitted_at, submitted_by, reviewed_at, reviewer, value, note, created_at, updated_at)
 VALUES ((SELECT id FROM indicators WHERE code = 'jobs'), ?, ?, ?, ?, ?, 2, ?, 'cun1', ?, 'qu', ?, '', ?, ?)`
	at := fixtureAt
	execT(t, db, iv, "110101001001", 2025, 1, "approved", 3, at, at, 7, at, at)
	execT(t, db, iv, "110101001001", 2025, 2, "approved", 6, at, at.Add(time.Hour), 9, at, at)
	execT(t, db, iv, "110101001001", 2025, 3, "draft", 7, nil, nil, 40, at, at)
	execT(t, db, iv, "110101001002", 2025, 1, "approved", 3, at, at, 5, at, at)
	execT(t, db, iv, "110101002001", 2024, 1, "approved", 3, at, at, 0, at, at)
}

// checkV8: migration 16 built the indicator's cells from the values (the corrected
// value counts, the draft and the merged village do not), equal to today's rebuild.
func checkV8(t *testing.T, db *gorm.DB) {
	var built []IndicatorCell
	if err := db.Order("indicator_id, street_code, type, year").Find(&built).Error; err != nil {
		t.Fatal(err)
	}
	if err := RebuildIndicatorCells(db); err != nil {
		t.Fatal(err)
	}
	var rebuilt []IndicatorCell
	if err := db.Order("indicator_id, street_code, type, year").Find(&rebuilt).Error; err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(built) != fmt.Sprint(rebuilt) || len(built) != 2 {
		t.Fatalf("indicator cells from the migration:\n%v\ntoday's rebuild:\n%v", built, rebuilt)
	}
	if c := built[0]; c.Year != 2025 || c.Reported != 1 || c.Yes != 1 || c.SumValue != 9 {
		t.Fatalf("2025's cell: %+v", c)
	}
	if c := built[1]; c.Year != 2024 || c.Reported != 1 || c.Yes != 0 || c.SumValue != 0 {
		t.Fatalf("2024's cell: %+v", c)
	}
}

// insertV2 adds a yellow band as version 2 kept it: a target row of year 0.
func insertV2(t *testing.T, db *gorm.DB) {
	execT(t, db, `INSERT INTO targets (scope_code, indicator, year, value, note, recorded_at) VALUES ('110101', 'ranking_yellow_band', 0, 800, '', ?)`, fixtureAt)
}

// checkV2: the band moved to the district's settings, with its instant.
func checkV2(t *testing.T, db *gorm.DB) {
	if b := YellowBand(db, "110101", fixtureAt); b != 800 {
		t.Fatalf("yellow band after upgrade: %d", b)
	}
	if b := YellowBand(db, "110101", fixtureAt.Add(-time.Second)); b != defaultYellowBand {
		t.Fatalf("yellow band before it was set: %d", b)
	}
	var n int64
	db.Model(&Target{}).Where("indicator = 'ranking_yellow_band'").Count(&n)
	if n != 0 {
		t.Fatalf("the band is still among the targets")
	}
	db.Model(&Target{}).Where("scope_code = '110101' AND indicator = 'star_new_1' AND year = 2023 AND value = 26").Count(&n)
	if n != 1 {
		t.Fatalf("the plan's 2023 one-star line: %d rows", n)
	}
}

var fixtureAt = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)

func execT(t *testing.T, db *gorm.DB, sql string, args ...any) {
	t.Helper()
	if err := db.Exec(sql, args...).Error; err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// insertV1 fills a version-1 database: a district, two streets, three villages (one
// ended), users, approved and open reports with their current rows, a later last
// year, a target, an audit line, a workshop and a company.
func insertV1(t *testing.T, db *gorm.DB) {
	execT(t, db, `INSERT INTO districts (code, name) VALUES ('110101', '东城区')`)
	execT(t, db, `INSERT INTO streets (code, district_code, name) VALUES ('110101001', '110101', '东华门街道'), ('110101002', '110101', '景山街道')`)
	execT(t, db, `INSERT INTO villages (code, name, street_code, district_code, type, active_from, active_until, demo, created_at, updated_at) VALUES
 ('110101001001', '一村', '110101001', '110101', '城郊融合', 2023, NULL, false, ?, ?),
 ('110101001002', '二村', '110101001', '110101', '集聚建设', 2023, 2024, false, ?, ?),
 ('110101002001', '三村', '110101002', '110101', '城郊融合', 2023, NULL, false, ?, ?)`,
		fixtureAt, fixtureAt, fixtureAt, fixtureAt, fixtureAt, fixtureAt)
	execT(t, db, `INSERT INTO users (username, name, role, district_code, street_code, village_code, password_hash, token_version, disabled, demo, must_change_password, phone, created_at, updated_at) VALUES
 ('qu', '区管理员', 'district', '110101', '', '', 'x', 1, false, false, false, '', ?, ?),
 ('cun1', '一村文书', 'village', '110101', '110101001', '110101001001', 'x', 1, false, false, false, '13800000000', ?, ?)`,
		fixtureAt, fixtureAt, fixtureAt, fixtureAt)
	rv := `INSERT INTO report_versions (village_code, year, seq, status, version, created_by_id, submitted_at, submitted_by, reviewed_at, reviewer_id, reviewer, reject_reason,
 star_rating, hemei_built, business_fen, contract_fen, investment_fen, subsidy_fen, other_fen, assets_fen, operating_fen, total_fen, note, created_at, updated_at)
 VALUES (?, ?, 1, ?, 1, 2, ?, 'cun1', ?, 1, 'qu', '', ?, ?, ?, 0, 0, 100, 0, 5000, ?, ?, '', ?, ?)`
	execT(t, db, rv, "110101001001", 2024, "approved", fixtureAt, fixtureAt, 2, true, int64(60_000_000), int64(60_000_000), int64(60_000_100), fixtureAt, fixtureAt)
	execT(t, db, rv, "110101002001", 2024, "approved", fixtureAt, fixtureAt, 1, false, int64(1_000), int64(1_000), int64(1_100), fixtureAt, fixtureAt)
	execT(t, db, rv, "110101001001", 2025, "draft", nil, nil, 0, false, int64(5), int64(5), int64(105), fixtureAt, fixtureAt)
	execT(t, db, `INSERT INTO current_reports (village_code, year, version_id, star_rating, hemei_built, operating_fen, total_fen, assets_fen, reviewed_at)
 SELECT village_code, year, id, star_rating, hemei_built, operating_fen, total_fen, assets_fen, reviewed_at FROM report_versions WHERE status = 'approved'`)
	execT(t, db, `INSERT INTO settings (key, value) VALUES ('last_open_year', '2028')`)
	execT(t, db, `INSERT INTO targets (scope_code, indicator, year, value, note, recorded_at) VALUES ('110101', 'meets_share', 2027, 8500, '', ?)`, fixtureAt)
	execT(t, db, `INSERT INTO audit_entries (at, actor_id, actor_name, actor_role, ip, action, object_type, object_key, district_code, street_code, village_code, before, after)
 VALUES (?, 1, '区管理员', 'district', '127.0.0.1', 'report.approve', 'report', '1', '110101', '110101001', '110101001001', '', '{}')`, fixtureAt)
	execT(t, db, `INSERT INTO workshops (village_code, star_level, star_evaluated_on, star_set_by, created_at) VALUES ('110101001001', 2, '2024-05-01', 'qu', ?)`, fixtureAt)
	execT(t, db, `INSERT INTO companies (district_code, name, credit_code, model, founded_on, registered_capital_fen, dissolved_at, version, created_at, updated_at)
 VALUES ('110101', '强村公司', '91110101MA00000000', '联合', '2023-01-01', 100000000, NULL, 1, ?, ?)`, fixtureAt, fixtureAt)
}

// checkV1 reads the version-1 data back through today's code after the upgrade.
func checkV1(t *testing.T, db *gorm.DB) {
	var villages []Village
	if err := db.Order("code").Find(&villages).Error; err != nil || len(villages) != 3 || villages[1].ActiveUntil == nil || *villages[1].ActiveUntil != 2024 {
		t.Fatalf("villages after upgrade: %+v %v", villages, err)
	}
	var u User
	if err := db.Where("username = ?", "cun1").Take(&u).Error; err != nil || u.Phone != "13800000000" || u.VillageCode != "110101001001" {
		t.Fatalf("user after upgrade: %+v %v", u, err)
	}
	var rs []ReportVersion
	if err := db.Order("id").Find(&rs).Error; err != nil || len(rs) != 3 || rs[0].OperatingFen != 60_000_000 || !rs[0].HemeiBuilt || rs[2].Status != StatusDraft {
		t.Fatalf("reports after upgrade: %+v %v", rs, err)
	}
	if ys, err := Years(db); err != nil || ys[len(ys)-1] != 2028 {
		t.Fatalf("years after upgrade: %v", ys)
	}
	for _, m := range []any{&Target{}, &AuditEntry{}, &Workshop{}, &Company{}} {
		var n int64
		q := db.Model(m)
		if _, ok := m.(*Target); ok {
			// Migration 3 adds the plan's 2023 星级 lines (star_new…) for each district.
			q = q.Where("indicator NOT LIKE 'star_new%'")
		}
		if err := q.Count(&n).Error; err != nil || n != 1 {
			t.Fatalf("%T after upgrade: %d rows, %v", m, n, err)
		}
	}
	// Migration 11 kept the workshop's village and carried its star evaluation into
	// the history, recorded at the start of the evaluation day (Asia/Shanghai).
	var w Workshop
	if err := db.Take(&w).Error; err != nil || w.VillageCode == nil || *w.VillageCode != "110101001001" || w.StreetCode != nil || w.Site != "村" {
		t.Fatalf("workshop after upgrade: %+v %v", w, err)
	}
	var stars []WorkshopStar
	if err := db.Find(&stars).Error; err != nil || len(stars) != 1 || stars[0].Level != 2 || stars[0].EvaluatedOn != "2024-05-01" ||
		!stars[0].RecordedAt.Equal(time.Date(2024, 5, 1, 0, 0, 0, 0, Shanghai)) || stars[0].WorkshopID != w.ID {
		t.Fatalf("star history after upgrade: %+v %v", stars, err)
	}
	// The cells the frozen migration built equal what today's code builds.
	var built []RollupCell
	if err := db.Order("street_code, type, year").Find(&built).Error; err != nil {
		t.Fatal(err)
	}
	if err := RebuildCells(db); err != nil {
		t.Fatal(err)
	}
	var rebuilt []RollupCell
	if err := db.Order("street_code, type, year").Find(&rebuilt).Error; err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(built) != fmt.Sprint(rebuilt) || len(built) == 0 {
		t.Fatalf("cells from the migration:\n%v\ntoday's rebuild:\n%v", built, rebuilt)
	}
	// 2024: 二村 counts (active until 2024) but is not reported; 一村 meets the line.
	// (Its 星级 2 and 和美 are in the title register since migration 5, checked
	// below; migration 10 dropped the cells' copies of them.)
	var c RollupCell
	if err := db.Where("street_code = ? AND type = ? AND year = ?", "110101001", "城郊融合", 2024).Take(&c).Error; err != nil || c.Reported != 1 || c.Meets != 1 {
		t.Fatalf("cell 2024: %+v %v", c, err)
	}
	if err := db.Where("year = ?", 2028).Take(&RollupCell{}).Error; err != nil {
		t.Fatalf("no cell for the opened year 2028: %v", err)
	}
	// Migration 5 carried the reported titles into the register, marked migrated,
	// recorded at the approval that carried them.
	for _, c := range []struct {
		code string
		year int
		at   time.Time
		want Held
	}{
		{"110101001001", 2024, fixtureAt, Held{Star: 2, Hemei: true}},
		{"110101001001", 2023, fixtureAt, Held{}},
		{"110101001001", 2026, fixtureAt, Held{Star: 2, Hemei: true}},
		{"110101001001", 2024, fixtureAt.Add(-time.Second), Held{}},
		{"110101002001", 2024, fixtureAt, Held{Star: 1}},
	} {
		if h, err := HeldTitles(db, c.code, c.year, c.at); err != nil || h != c.want {
			t.Fatalf("titles of %s at the end of %d: %+v %v, want %+v", c.code, c.year, h, err, c.want)
		}
	}
	var migrated int64
	db.Model(&TitleEntry{}).Where("migrated = ? AND document_no = '' AND kind = 'named'", true).Count(&migrated)
	if migrated != 3 {
		t.Fatalf("migrated namings: %d, want 3", migrated)
	}
}

// TestUpgradeFromEveryVersion builds a database at every earlier schema version
// with data in it (each version's fixture written at that version), opens it with today's Open, and checks the data and that the
// schema equals a fresh database's.
func TestUpgradeFromEveryVersion(t *testing.T) {
	fresh := schemaListing(t, OpenTest(t))
	for from := 0; from < LatestSchemaVersion(); from++ {
		t.Run(fmt.Sprintf("from_v%d", from), func(t *testing.T) {
			// Step by step, as a deployment lived: each version's data is written
			// when the database is at that version, and the later migrations up to
			// from carry it along.
			dsn := TestDSN(t)
			old := openAt(t, dsn, 0)
			for v := 1; v <= from; v++ {
				err := WithLock(old, func(tx *gorm.DB) error {
					if err := MigrateTo(tx, v); err != nil {
						return err
					}
					// The program recounted the cells at start-up after an upgrade
					// that reached cellsDefinedAt (migrateAndRecount).
					if v == cellsDefinedAt {
						return RebuildCells(tx)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if f, ok := upgradeFixtures[v]; ok {
					f.insert(t, old)
				}
			}
			closeDB(old)
			db, err := Open(dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer closeDB(db)
			if v, err := SchemaVersion(db); err != nil || v != LatestSchemaVersion() {
				t.Fatalf("version after upgrade %d, %v; want %d", v, err, LatestSchemaVersion())
			}
			diffListings(t, fmt.Sprintf("upgraded from v%d against fresh", from), fresh, schemaListing(t, db))
			for v := 1; v <= from; v++ {
				if f, ok := upgradeFixtures[v]; ok {
					f.check(t, db)
				}
			}
			// The cells were recounted at start-up by today's definition (cellsDefinedAt).
			if d, err := MeasureDrift(db); err != nil || d.RollupCells != 0 || d.RegisterCells != 0 || d.CompanyCells != 0 || d.Totals != 0 {
				t.Fatalf("cells after the upgrade from v%d differ from the recount: %+v %v", from, d, err)
			}
		})
	}
}

// backups lists the pre-migration backups beside a SQLite file.
func backups(t *testing.T, dsn string) []string {
	t.Helper()
	m, err := filepath.Glob(dsn + ".pre-v*.bak")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestBackupBeforeMigration: opening an older non-empty SQLite database copies it
// beside itself (mode 0600, still at the old version, with its data) before
// migrating; a new or current database gets no copy.
func TestBackupBeforeMigration(t *testing.T) {
	if TestBackend() == "postgres" {
		t.Skip("PostgreSQL: the operator runs pg_dump; cunji only logs the advice")
	}
	dsn := TestDSN(t)
	old := openAt(t, dsn, 1)
	insertV1(t, old)
	closeDB(old)
	db, err := Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	closeDB(db)
	baks := backups(t, dsn)
	if len(baks) != 1 || !strings.Contains(baks[0], fmt.Sprintf(".pre-v%d-", LatestSchemaVersion())) {
		t.Fatalf("backups: %v", baks)
	}
	st, err := os.Stat(baks[0])
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("backup mode: %v %v", st.Mode(), err)
	}
	copyDB, err := openUnmigrated(baks[0])
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB(copyDB)
	var n int64
	if v, err := SchemaVersion(copyDB); err != nil || v != 1 {
		t.Fatalf("backup at version %d, %v; want 1", v, err)
	}
	if err := copyDB.Raw("SELECT count(*) FROM report_versions").Scan(&n).Error; err != nil || n != 3 {
		t.Fatalf("backup holds %d reports, %v", n, err)
	}
	// Opening again (now current) and opening a new database take no copy.
	db, err = Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	closeDB(db)
	if b := backups(t, dsn); len(b) != 1 {
		t.Fatalf("second open took another backup: %v", b)
	}
	fresh := TestDSN(t)
	db, err = Open(fresh)
	if err != nil {
		t.Fatal(err)
	}
	closeDB(db)
	if b := backups(t, fresh); len(b) != 0 {
		t.Fatalf("a new database was backed up: %v", b)
	}
}

// TestNewerSchemaRefused: a database migrated by a newer cunji (a version this one
// does not know) is refused with both versions named, and nothing in it changes.
func TestNewerSchemaRefused(t *testing.T) {
	dsn := TestDSN(t)
	db := openAt(t, dsn, LatestSchemaVersion())
	insertV1(t, db)
	future := LatestSchemaVersion() + 1
	execT(t, db, `CREATE TABLE future_things (id integer PRIMARY KEY)`)
	execT(t, db, `INSERT INTO schema_version (version, applied_at) VALUES (?, ?)`, future, fixtureAt)
	listing := schemaListing(t, db)
	var rows []string
	if err := db.Raw("SELECT CAST(version AS text) FROM schema_version ORDER BY version").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	closeDB(db)
	fileSum := func() string {
		if TestBackend() == "postgres" {
			return ""
		}
		b, err := os.ReadFile(dsn)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%x", sha256.Sum256(b))
	}
	sum := fileSum()

	_, err := Open(dsn)
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("open of a newer database: %v", err)
	}
	for _, want := range []string{fmt.Sprintf("version %d", future), fmt.Sprintf("up to %d", LatestSchemaVersion())} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not name %q", err, want)
		}
	}
	if s := fileSum(); s != sum {
		t.Error("the database file changed")
	}
	if TestBackend() != "postgres" && len(backups(t, dsn)) != 0 {
		t.Error("a backup was taken of a database it refuses")
	}
	db, err = openUnmigrated(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB(db)
	diffListings(t, "after the refusal", listing, schemaListing(t, db))
	var after []string
	if err := db.Raw("SELECT CAST(version AS text) FROM schema_version ORDER BY version").Scan(&after).Error; err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(after) != fmt.Sprint(rows) {
		t.Fatalf("schema_version %v, was %v", after, rows)
	}
	// MigrateTo under the lock refuses as well (another instance got there first).
	if err := WithLock(db, Migrate); !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("Migrate on a newer database: %v", err)
	}
}

// TestMigrationFiles: every version has both dialects, numbered without gaps.
func TestMigrationFiles(t *testing.T) {
	ms, err := loadMigrations(migrationFiles, frozenSteps)
	if err != nil {
		t.Fatal(err)
	}
	// A Go-only step joins the files; a gap or a name that differs is refused.
	step := func(*gorm.DB) error { return nil }
	n := len(ms)
	withGo, err := loadMigrations(migrationFiles, map[int]frozenStep{n + 1: {Name: "fold", Up: step}})
	if err != nil || len(withGo) != n+1 || withGo[n].Go == nil || len(withGo[n].SQL) != 0 {
		t.Fatalf("Go-only step: %v %+v", err, withGo)
	}
	if _, err := loadMigrations(migrationFiles, map[int]frozenStep{n + 2: {Name: "gap", Up: step}}); err == nil {
		t.Error("a gap in the versions was accepted")
	}
	if _, err := loadMigrations(migrationFiles, map[int]frozenStep{1: {Name: "other", Up: step}}); err == nil {
		t.Error("a step named unlike its files was accepted")
	}
	if len(ms) < 2 || ms[0].Name != "core" || ms[1].Name != "rollup_cells" {
		t.Fatalf("migrations: %+v", ms)
	}
	got := splitStatements("-- c\nCREATE TABLE a (x int);\n\nINSERT INTO a\nSELECT 1;\n")
	if len(got) != 2 || got[1] != "INSERT INTO a\nSELECT 1" {
		t.Fatalf("split: %q", got)
	}
}
