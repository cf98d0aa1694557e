package models

import (
	"regexp"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm/schema"
)

// TestReportVersionsSQLColumns keeps the hand-scanned column list of
// reportVersionsSQL equal to ReportVersion's columns, so that a column added to the
// model cannot be silently left unread by the report's page and API.
func TestReportVersionsSQLColumns(t *testing.T) {
	s, err := schema.Parse(&ReportVersion{}, &sync.Map{}, schema.NamingStrategy{})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range s.Fields {
		if f.DBName != "" {
			want = append(want, f.DBName)
		}
	}
	m := regexp.MustCompile(`(?s)SELECT (.*?)\s+FROM`).FindStringSubmatch(reportVersionsSQL)
	if m == nil {
		t.Fatal("no column list in reportVersionsSQL")
	}
	var got []string
	for _, c := range strings.Split(m[1], ",") {
		got = append(got, strings.TrimSpace(c))
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("reportVersionsSQL reads\n  %v\nReportVersion has\n  %v", got, want)
	}
}
