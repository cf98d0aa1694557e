package models

import (
	"errors"
	"strconv"
	"strings"
)

// FenPerWan is the number of 分 in one 万元.
const FenPerWan int64 = 1_000_000

// Errors of ParseWan, worded for the form beside the field.
var (
	ErrWanEmpty     = errors.New("请填写金额")
	ErrWanSyntax    = errors.New("请填写数字（万元，最多 6 位小数）")
	ErrWanPrecision = errors.New("最多 6 位小数（精确到分）")
	ErrWanTooLarge  = errors.New("金额过大，不可信")
	// ErrYuanSyntax and ErrYuanPrecision are ParseYuan's: 元 take at most two decimals.
	ErrYuanSyntax    = errors.New("请填写数字（元，最多 2 位小数）")
	ErrYuanPrecision = errors.New("最多 2 位小数（精确到分）")
)

// ParseWan parses an amount in 万元 (up to 6 decimals, exact to the 分) into 分.
// It accepts a leading sign, full-width digits and thousands separators, and never
// uses floating point.
func ParseWan(s string) (int64, error) { return parseFen(s, 6) }

// ParseYuan parses an amount in 元 (up to 2 decimals, as statistics tables give
// them) into 分, exactly.
func ParseYuan(s string) (int64, error) { return parseFen(s, 2) }

// parseFen parses a decimal whose unit is 10^decimals 分 (万元: 6, 元: 2) into 分.
func parseFen(s string, decimals int) (int64, error) {
	fen, err := parseDecimal(s, decimals)
	if err == ErrWanSyntax && decimals == 2 {
		return 0, ErrYuanSyntax
	}
	return fen, err
}

// parseDecimal is parseFen, its syntax error worded for 万元.
func parseDecimal(s string, decimals int) (int64, error) {
	s = normalizeNumber(s)
	if s == "" {
		return 0, ErrWanEmpty
	}
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	intPart, ok := ungroup(intPart)
	if !ok || intPart == "" && (!hasDot || frac == "") {
		return 0, ErrWanSyntax
	}
	if !allDigits(intPart) || !allDigits(frac) {
		return 0, ErrWanSyntax
	}
	if len(frac) > decimals {
		if decimals == 2 {
			return 0, ErrYuanPrecision
		}
		return 0, ErrWanPrecision
	}
	intPart = strings.TrimLeft(intPart, "0")
	// 10^14 分 has 15 digits: more integer digits than 15 − decimals is too large.
	if len(intPart) > 15-decimals {
		return 0, ErrWanTooLarge
	}
	var whole int64
	if intPart != "" {
		w, err := strconv.ParseInt(intPart, 10, 64)
		if err != nil {
			return 0, ErrWanSyntax
		}
		whole = w
	}
	unit := int64(1)
	for i := 0; i < decimals; i++ {
		unit *= 10
	}
	var f int64
	if decimals > 0 {
		frac += strings.Repeat("0", decimals-len(frac))
		v, err := strconv.ParseInt(frac, 10, 64)
		if err != nil {
			return 0, ErrWanSyntax
		}
		f = v
	}
	fen := whole*unit + f
	if fen > MaxAmountFen {
		return 0, ErrWanTooLarge
	}
	if neg {
		fen = -fen
	}
	return fen, nil
}

// ungroup takes the thousands separators out of the integer part of a number; they
// may stand only between groups of three digits ("1,234", not "1,5" or "12,34").
func ungroup(s string) (string, bool) {
	if !strings.Contains(s, ",") {
		return s, true
	}
	groups := strings.Split(s, ",")
	for i, g := range groups {
		if g == "" || len(g) > 3 || (i > 0 && len(g) != 3) {
			return "", false
		}
	}
	return strings.Join(groups, ""), true
}

// normalizeNumber trims spaces and maps full-width digits, signs and separators to
// ASCII; a space inside the number is a thousands separator.
func normalizeNumber(s string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '０' && r <= '９':
			b.WriteRune('0' + (r - '０'))
		case r == '．':
			b.WriteRune('.')
		case r == '－':
			b.WriteRune('-')
		case r == '＋':
			b.WriteRune('+')
		case r == ',' || r == '，' || r == ' ':
			b.WriteByte(',')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// FormatWan formats 分 as 万元 with two decimals, rounding half away from zero.
func FormatWan(fen int64) string {
	neg := fen < 0
	if neg {
		fen = -fen
	}
	// 1 万元 = 10^6 分; two decimals are units of 10^4 分.
	hundredths := (fen + 5_000) / 10_000
	s := strconv.FormatInt(hundredths/100, 10) + "." + twoDigits(hundredths%100)
	if neg && hundredths != 0 {
		s = "-" + s
	}
	return s
}

// FenPerYi is the number of 分 in one 亿元.
const FenPerYi int64 = 10_000_000_000

// FormatMoney formats 分 for reading, with its unit: 亿元 with two decimals from
// 1 亿 up ("144.62 亿元"), else 万元 with two decimals and thousands separators
// ("1,234.56 万元"). Every amount a page or an export shows with its unit goes
// through it; forms keep 万元 (FormatWanExact).
func FormatMoney(fen int64) string {
	abs := fen
	if abs < 0 {
		abs = -abs
	}
	// Below what would show as 10,000.00 万元, in 万元.
	if (abs+5_000)/10_000 < FenPerYi/10_000 {
		return FormatWanGrouped(fen) + " 万元"
	}
	// Two decimals of 亿元 are units of 10^8 分.
	hundredths := (abs + 50_000_000) / 100_000_000
	s := group(strconv.FormatInt(hundredths/100, 10)) + "." + twoDigits(hundredths%100) + " 亿元"
	if fen < 0 {
		s = "-" + s
	}
	return s
}

// FormatWanGrouped formats 分 as 万元 with two decimals and thousands separators.
func FormatWanGrouped(fen int64) string {
	s := FormatWan(fen)
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	return sign + group(intPart) + "." + frac
}

// group puts thousands separators into a string of digits.
func group(digits string) string {
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// FormatWanExact formats 分 as 万元 with as many decimals as needed (at most 6), for
// pre-filling forms without losing a 分.
func FormatWanExact(fen int64) string {
	neg := fen < 0
	if neg {
		fen = -fen
	}
	s := strconv.FormatInt(fen/FenPerWan, 10)
	if frac := fen % FenPerWan; frac != 0 {
		fs := strconv.FormatInt(frac, 10)
		fs = strings.Repeat("0", 6-len(fs)) + fs
		s += "." + strings.TrimRight(fs, "0")
	}
	if neg {
		s = "-" + s
	}
	return s
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}
