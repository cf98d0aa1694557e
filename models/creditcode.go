package models

import (
	"errors"
	"strings"
)

// creditChars are the 31 characters of a 统一社会信用代码 (GB 32100-2015): digits and
// capital letters without I, O, Z, S and V, in the order of their values 0–30.
const creditChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditWeights are the weights of positions 1–17.
var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// Errors of CheckCreditCode.
var (
	ErrCreditLength = errors.New("统一社会信用代码须为 18 位")
	ErrCreditChar   = errors.New("统一社会信用代码含有不允许的字符（只能是数字和除 I、O、Z、S、V 以外的大写字母）")
	ErrCreditCheck  = errors.New("统一社会信用代码校验位不正确，请核对")
)

// CreditCheckChar computes the check character of the first 17 characters.
func CreditCheckChar(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, ErrCreditLength
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditChars, first17[i])
		if v < 0 {
			return 0, ErrCreditChar
		}
		sum += v * creditWeights[i]
	}
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return creditChars[c], nil
}

// NormalizeCreditCode trims and upper-cases a code as typed.
func NormalizeCreditCode(s string) string {
	return strings.ToUpper(strings.TrimSpace(s))
}

// CheckCreditCode validates an 18-character 统一社会信用代码 with its check character.
func CheckCreditCode(code string) error {
	if len(code) != 18 {
		return ErrCreditLength
	}
	want, err := CreditCheckChar(code[:17])
	if err != nil {
		return err
	}
	if strings.IndexByte(creditChars, code[17]) < 0 {
		return ErrCreditChar
	}
	if code[17] != want {
		return ErrCreditCheck
	}
	return nil
}
