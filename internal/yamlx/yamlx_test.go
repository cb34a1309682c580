package yamlx

import (
	"errors"
	"strings"
	"testing"
	"time"
)

type sample struct {
	Name  string   `yaml:"name"`
	Wait  Duration `yaml:"wait"`
	Inner struct {
		Count int `yaml:"count"`
	} `yaml:"inner"`
}

func decode(t *testing.T, text string, lookup func(string) (string, bool)) (sample, error) {
	t.Helper()
	var s sample
	root, err := Parse([]byte(text))
	if err != nil {
		return s, WithFile(err, "f.yaml")
	}
	ExpandEnv(root, lookup)
	return s, WithFile(Decode(root, &s), "f.yaml")
}

func TestDecodeReportsEveryProblemWithItsLine(t *testing.T) {
	_, err := decode(t, "name: x\nwait: soon\ninner:\n  count: 3\n  colour: red\nextra: 1\n", nil)
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("got %v", err)
	}
	got := err.Error()
	for _, want := range []string{`f.yaml:5: unknown field "colour"`, `f.yaml:6: unknown field "extra"`, `f.yaml:2: "soon" is not a duration`} {
		if !strings.Contains(got, want) {
			t.Errorf("errors lack %q:\n%s", want, got)
		}
	}
}

func TestExpandEnvAndDefaults(t *testing.T) {
	env := map[string]string{"WHO": "quorum: #1"}
	s, err := decode(t, "name: ${WHO}\nwait: ${WAIT:-90s}\n", func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "quorum: #1" || time.Duration(s.Wait) != 90*time.Second {
		t.Fatalf("got %+v", s)
	}
}

func TestSyntaxAndEmpty(t *testing.T) {
	if _, err := decode(t, "name: [unclosed\n", nil); err == nil || !strings.HasPrefix(err.Error(), "f.yaml:") {
		t.Fatalf("got %v, want a file:line syntax error", err)
	}
	if _, err := decode(t, "", nil); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("got %v", err)
	}
	if _, err := decode(t, "inner: {count: many}\n", nil); err == nil || !strings.Contains(err.Error(), `"many" is text, want a whole number`) {
		t.Fatalf("got %v", err)
	}
}
