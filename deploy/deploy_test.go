// Package deploy holds the systemd unit; its test checks the promises the Dockerfile
// and the unit make (docs/OPERATIONS.md), since no test here runs Docker or systemd.
package deploy

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// directives reads a Dockerfile or unit file into instruction → values, in order.
func directives(t *testing.T, path, sep string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "[") {
			continue
		}
		k, v, _ := strings.Cut(line, sep)
		out[strings.TrimSpace(k)] = append(out[strings.TrimSpace(k)], strings.TrimSpace(v))
	}
	return out
}

func last(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[len(vs)-1]
}

func TestDockerfile(t *testing.T) {
	d := directives(t, "../Dockerfile", " ")
	from := d["FROM"]
	if len(from) < 2 || !strings.HasPrefix(from[0], "golang:") {
		t.Fatalf("got stages %v, want a golang builder and a final image", from)
	}
	if final := last(from); !strings.HasPrefix(final, "gcr.io/distroless/static") && final != "scratch" {
		t.Errorf("final image %q, want distroless/static or scratch (a static binary needs nothing else)", final)
	}
	if user := last(d["USER"]); user == "" || user == "root" || strings.HasPrefix(user, "0") {
		t.Errorf("USER %q: the image must not run as root", user)
	}
	if !contains(d["VOLUME"], "/data") || last(d["WORKDIR"]) != "/data" {
		t.Errorf("VOLUME %v, WORKDIR %v: want the store and config in /data", d["VOLUME"], d["WORKDIR"])
	}
	build := strings.Join(d["RUN"], "\n")
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "-X main.version=", "./cmd/quorum"} {
		if !strings.Contains(build, want) {
			t.Errorf("the build does not use %s", want)
		}
	}
	// The version flag names a variable that exists, and time zones are built in.
	main, _ := os.ReadFile("../cmd/quorum/main.go")
	if !regexp.MustCompile(`(?m)^var version = `).Match(main) {
		t.Error("cmd/quorum has no `var version` for -X main.version")
	}
	tz, _ := os.ReadFile("../cmd/quorum/tzdata.go")
	if !strings.Contains(string(tz), `_ "time/tzdata"`) {
		t.Error("cmd/quorum does not embed time/tzdata: daily drills in a distroless image would not know time zones")
	}
	ignore, _ := os.ReadFile("../.dockerignore")
	for _, want := range []string{"*.db", "quorum.yaml", ".git"} {
		if !strings.Contains(string(ignore), want+"\n") {
			t.Errorf(".dockerignore does not keep %s out of the build context", want)
		}
	}
}

func TestSystemdUnit(t *testing.T) {
	u := directives(t, "quorum.service", "=")
	want := map[string]string{
		"DynamicUser": "yes", "StateDirectory": "quorum", "Restart": "on-failure", "NoNewPrivileges": "yes",
		"ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes", "UMask": "0077",
	}
	for k, v := range want {
		if got := last(u[k]); got != v {
			t.Errorf("%s=%q, want %q", k, got, v)
		}
	}
	if u["User"] == nil || last(u["User"]) == "root" {
		t.Errorf("User=%v: want a dedicated user", u["User"])
	}
	if env := last(u["EnvironmentFile"]); !strings.HasPrefix(env, "/etc/quorum/") {
		t.Errorf("EnvironmentFile=%q: want the tokens in /etc/quorum", env)
	}
	if exec := last(u["ExecStart"]); !strings.Contains(exec, "quorum run") {
		t.Errorf("ExecStart=%q", exec)
	}
	// systemd must wait longer than Quorum's own shutdown, or it kills grading in flight.
	run, _ := os.ReadFile("../cmd/quorum/run.go")
	m := regexp.MustCompile(`shutdownGrace = (\d+) \* time\.Second`).FindSubmatch(run)
	if m == nil {
		t.Fatal("no shutdownGrace in cmd/quorum/run.go")
	}
	grace, _ := time.ParseDuration(string(m[1]) + "s")
	stop, err := time.ParseDuration(last(u["TimeoutStopSec"]))
	if err != nil || stop <= grace+10*time.Second {
		t.Errorf("TimeoutStopSec=%v, want more than shutdownGrace %v plus the adapters' 10s drain", last(u["TimeoutStopSec"]), grace)
	}
}

func contains(vs []string, s string) bool {
	for _, v := range vs {
		if v == s {
			return true
		}
	}
	return false
}
