package models

import "testing"

// unpack reads exactly the fields of a packed row, and refuses anything else.
func TestUnpack(t *testing.T) {
	var a, b, c int64
	fields := []any{&a, &b, &c}
	if err := unpack([]byte("12,-3,0"), fields); err != nil || a != 12 || b != -3 || c != 0 {
		t.Fatalf("12,-3,0 → %d %d %d %v", a, b, c, err)
	}
	for _, bad := range []string{"", "1,2", "1,2,3,4", "1,,3", "1,2,x", "1,2,3,", "-,2,3", "1 ,2,3"} {
		if err := unpack([]byte(bad), fields); err == nil {
			t.Errorf("%q read without an error", bad)
		}
	}
	// The packed column holds the columns in totalsColumns' order: the figures,
	// the register counts, then the companies (migration 0017).
	if n := len(totalsColumns); n != 29 || totalsColumns[0] != "villages" || totalsColumns[n-1] != "companies" {
		t.Fatalf("totalsColumns %v", totalsColumns)
	}
}
