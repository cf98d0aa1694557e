package handlers

import (
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

const ctxHTTPS = "cunji.https"

// ParseTrustedProxies reads --trust-proxy: a comma-separated list of the reverse
// proxies' addresses or CIDR ranges (10.0.0.1,10.0.0.0/8,fd00::/8).
func ParseTrustedProxies(list string) ([]*net.IPNet, error) {
	var nets []*net.IPNet
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			ip := net.ParseIP(s)
			if ip == nil {
				return nil, fmt.Errorf("--trust-proxy: %q is neither an address nor a CIDR range (e.g. 10.0.0.1,10.0.0.0/8)", s)
			}
			bits := 128
			if ip4 := ip.To4(); ip4 != nil {
				ip, bits = ip4, 32
			}
			nets = append(nets, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			return nil, fmt.Errorf("--trust-proxy: %q is neither an address nor a CIDR range (e.g. 10.0.0.1,10.0.0.0/8)", s)
		}
		nets = append(nets, n)
	}
	return nets, nil
}

// ipExtractor is the client's address: the peer's, or — behind the trusted proxies
// and only them — the right-most hop of X-Forwarded-For that is not a trusted proxy.
// Loopback and private networks are not trusted unless listed.
func (h *Handler) ipExtractor() echo.IPExtractor {
	if len(h.TrustedProxies) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range h.TrustedProxies {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// trusted tells whether the request's peer is one of the trusted proxies.
func (h *Handler) trusted(r *http.Request) bool {
	ip := net.ParseIP(echo.ExtractIPDirect()(r))
	for _, n := range h.TrustedProxies {
		if ip != nil && n.Contains(ip) {
			return true
		}
	}
	return false
}

// forwardedHTTPS notes a request that a trusted proxy received over HTTPS
// (X-Forwarded-Proto: https); anyone else's X-Forwarded-Proto is ignored.
func (h *Handler) forwardedHTTPS(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if strings.EqualFold(strings.TrimSpace(r.Header.Get(echo.HeaderXForwardedProto)), "https") && h.trusted(r) {
			c.Set(ctxHTTPS, true)
		}
		return next(c)
	}
}

// viaHTTPS tells whether the browser reached us over HTTPS, directly or through a
// trusted proxy: then cookies are marked Secure.
func viaHTTPS(c echo.Context) bool {
	https, _ := c.Get(ctxHTTPS).(bool)
	return c.IsTLS() || https
}
