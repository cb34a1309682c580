package bot

import (
	_ "embed"
	"strings"
	"time"
)

// tzNamesText lists the IANA zone names with a "/" (Europe/Berlin, US/Eastern,
// Etc/GMT+5), one a line, from the Go release's zone database:
//
//	unzip -Z1 "$(go env GOROOT)/lib/time/zoneinfo.zip" | grep / | sort > bot/tznames.txt
//
// Commands reach the core lower-cased, and names such as Europe/Isle_of_Man or
// America/Port-au-Prince cannot be rebuilt from that by rule; the time package cannot
// list its zones (the binary embeds time/tzdata, where there is no directory to read).
//
//go:embed tznames.txt
var tzNamesText string

// tzNames maps each lower-cased zone name to its own spelling. It is built once, at
// load, and never changed.
var tzNames = func() map[string]string {
	m := map[string]string{}
	for _, name := range strings.Fields(tzNamesText) {
		m[strings.ToLower(name)] = name
	}
	return m
}()

// resolveTZ returns the zone name s means, in any case ("us/eastern" → US/Eastern,
// "UTC"), and whether it is one: "UTC", or an Area/Location name the time package
// loads. A name missing from the list (a newer zone database) is tried as given and
// with each word capitalised.
func resolveTZ(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "utc") {
		return "UTC", true
	}
	if !strings.Contains(s, "/") {
		return "", false
	}
	candidates := []string{s, canonicalTZ(s)}
	if name, ok := tzNames[strings.ToLower(s)]; ok {
		candidates = append([]string{name}, candidates...)
	}
	for _, c := range candidates {
		if _, err := time.LoadLocation(c); err == nil {
			return c, true
		}
	}
	return "", false
}

// isZoneWord reports whether a `daily on` or `drill add` word is meant as a timezone.
func isZoneWord(s string) bool { return strings.Contains(s, "/") || strings.EqualFold(s, "utc") }
