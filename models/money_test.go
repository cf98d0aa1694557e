package models_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"cunji/models"
)

func TestParseWan(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		err  error
	}{
		{"50", 50_000_000, nil},
		{"0.000001", 1, nil},
		{"12.345678", 12_345_678, nil},
		{"-3.5", -3_500_000, nil},
		{"+7", 7_000_000, nil},
		{" 1,234.5 ", 1_234_500_000, nil},
		{"12,345,678", 12_345_678_000_000, nil},
		{"１，２３４", 1_234_000_000, nil},
		{"-1 234.5", -1_234_500_000, nil},
		{"1,5", 0, models.ErrWanSyntax},
		{"12,34", 0, models.ErrWanSyntax},
		{"1,2345", 0, models.ErrWanSyntax},
		{",123", 0, models.ErrWanSyntax},
		{"123,", 0, models.ErrWanSyntax},
		{"1,,234", 0, models.ErrWanSyntax},
		{"1234,567", 0, models.ErrWanSyntax},
		{"1.234,5", 0, models.ErrWanSyntax},
		{"1,234.5,6", 0, models.ErrWanSyntax},
		{"５０．２５", 50_250_000, nil},
		{".5", 500_000, nil},
		{"5.", 5_000_000, nil},
		{"000012", 12_000_000, nil},
		{"100000000", models.MaxAmountFen, nil},
		{"100000000.000001", 0, models.ErrWanTooLarge},
		{"9999999999", 0, models.ErrWanTooLarge},
		{"", 0, models.ErrWanEmpty},
		{"   ", 0, models.ErrWanEmpty},
		{"abc", 0, models.ErrWanSyntax},
		{"1e6", 0, models.ErrWanSyntax},
		{"1.2.3", 0, models.ErrWanSyntax},
		{"-", 0, models.ErrWanSyntax},
		{".", 0, models.ErrWanSyntax},
		{"1.0000001", 0, models.ErrWanPrecision},
		{"NaN", 0, models.ErrWanSyntax},
		{"0x10", 0, models.ErrWanSyntax},
		{"<script>", 0, models.ErrWanSyntax},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := models.ParseWan(tc.in)
			if err != tc.err || (err == nil && got != tc.want) {
				t.Fatalf("ParseWan(%q) = %d, %v; want %d, %v", tc.in, got, err, tc.want, tc.err)
			}
		})
	}
}

func TestFormatWan(t *testing.T) {
	cases := []struct {
		fen        int64
		two, exact string
	}{
		{0, "0.00", "0"},
		{50_000_000, "50.00", "50"},
		{49_999_999, "50.00", "49.999999"},
		{49_994_999, "49.99", "49.994999"},
		{1, "0.00", "0.000001"},
		{-3_500_000, "-3.50", "-3.5"},
		{-1, "0.00", "-0.000001"},
		{12_345_678, "12.35", "12.345678"},
		{models.MaxAmountFen, "100000000.00", "100000000"},
	}
	for _, tc := range cases {
		if got := models.FormatWan(tc.fen); got != tc.two {
			t.Errorf("FormatWan(%d) = %q, want %q", tc.fen, got, tc.two)
		}
		if got := models.FormatWanExact(tc.fen); got != tc.exact {
			t.Errorf("FormatWanExact(%d) = %q, want %q", tc.fen, got, tc.exact)
		}
		// The exact form always parses back to the same 分.
		if back, err := models.ParseWan(models.FormatWanExact(tc.fen)); err != nil || back != tc.fen {
			t.Errorf("round trip of %d: %d, %v", tc.fen, back, err)
		}
	}
}

// FuzzParseWan: whatever is typed, the parser never panics, never exceeds the
// limit, and its result formats back to the same 分.
func FuzzParseWan(f *testing.F) {
	for _, s := range []string{"50", "-0.000001", "１２.５", "1,000", "1e3", "", "99999999.999999", "1,5", "1 234,567.5", "-12,34"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fen, err := models.ParseWan(s)
		if err != nil {
			return
		}
		if fen > models.MaxAmountFen || fen < -models.MaxAmountFen {
			t.Fatalf("%q parsed to %d, beyond the limit", s, fen)
		}
		if back, err := models.ParseWan(models.FormatWanExact(fen)); err != nil || back != fen {
			t.Fatalf("%q → %d → %q → %d, %v", s, fen, models.FormatWanExact(fen), back, err)
		}
		// A separator is accepted only between groups of three digits: taking the
		// separators out of what parsed must not change the digits before them.
		if whole, _, _ := strings.Cut(strings.NewReplacer("，", ",", " ", ",").Replace(strings.TrimSpace(s)), "."); strings.Contains(whole, ",") {
			groups := strings.Split(strings.TrimLeft(whole, "+-－＋"), ",")
			for i, g := range groups {
				if n := utf8.RuneCountInString(g); n == 0 || n > 3 || (i > 0 && n != 3) {
					t.Fatalf("%q parsed to %d though its separators are not between groups of three", s, fen)
				}
			}
		}
	})
}

// TestFormatMoney: 亿元 with two decimals from 1 亿 up, grouped 万元 below.
func TestFormatMoney(t *testing.T) {
	cases := []struct {
		fen  int64
		want string
	}{
		{0, "0.00 万元"},
		{123_456_789_0, "1,234.57 万元"},
		{9_999_994_999, "9,999.99 万元"},
		{9_999_995_000, "1.00 亿元"},
		{models.FenPerYi, "1.00 亿元"},
		{14_462_113_200_00, "144.62 亿元"},
		{150_000_000_000_00, "1,500.00 亿元"},
		{-25_000_000_000, "-2.50 亿元"},
		{-3_500_000, "-3.50 万元"},
	}
	for _, tc := range cases {
		if got := models.FormatMoney(tc.fen); got != tc.want {
			t.Errorf("FormatMoney(%d) = %q, want %q", tc.fen, got, tc.want)
		}
	}
}
