package models_test

import (
	"strings"
	"testing"

	"gorm.io/gorm"

	"cunji/models"
)

// The counts the triggers of 0017 run for each company row written narrow to the
// row's district, with statistics or without (SQLite keeps none until ANALYZE):
// before migration 0020 SQLite's planner, without them, read each through the
// (year, company_id) index, every company row of the year, so that recounting a
// nation's cells took 69 minutes.
func TestCompanyCountsNarrowToTheDistrictWithoutStatistics(t *testing.T) {
	if models.TestBackend() != "sqlite" {
		t.Skip("SQLite's planner: PostgreSQL keeps its statistics itself")
	}
	db := models.OpenTest(t)
	counts := map[string]string{
		"district":      "SELECT COUNT(DISTINCT o.company_id) FROM rollup_company_cells o WHERE o.year = ? AND o.district_code = ?",
		"district type": "SELECT COUNT(DISTINCT o.company_id) FROM rollup_company_cells o WHERE o.year = ? AND o.district_code = ? AND o.type = ?",
		"street":        "SELECT COUNT(DISTINCT o.company_id) FROM rollup_company_cells o WHERE o.year = ? AND o.district_code = ? AND o.street_code = ?",
	}
	args := []any{2025, "331002", "整治提升"}
	for _, stats := range []bool{false, true} {
		err := db.Connection(func(c *gorm.DB) error {
			// Statistics are read when a connection loads the schema; ANALYZE
			// sqlite_schema loads them again (here: none, or those of a full ANALYZE).
			if stats {
				if err := c.Exec("ANALYZE").Error; err != nil {
					return err
				}
			} else if err := c.Exec("DROP TABLE IF EXISTS sqlite_stat1").Error; err != nil {
				return err
			}
			if err := c.Exec("ANALYZE sqlite_schema").Error; err != nil {
				return err
			}
			for name, q := range counts {
				var plan []struct {
					ID, Parent, Notused int
					Detail              string
				}
				n := strings.Count(q, "?")
				if err := c.Raw("EXPLAIN QUERY PLAN "+q, args[:n]...).Scan(&plan).Error; err != nil {
					return err
				}
				var details []string
				for _, p := range plan {
					details = append(details, p.Detail)
				}
				all := strings.Join(details, "; ")
				if !strings.Contains(all, "district_code=?") {
					t.Errorf("statistics %v: the %s count is planned as %q, which does not narrow to the district", stats, name, all)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
