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
	for _, text := range []string{"", "# only\n  # comments\n\n"} {
		if _, err := decode(t, text, nil); err == nil || !strings.Contains(err.Error(), "empty") || !IsEmpty(err) {
			t.Fatalf("%q: got %v, want the file is empty", text, err)
		}
	}
	if _, err := Parse([]byte("a: [")); IsEmpty(err) {
		t.Fatalf("IsEmpty(%v) = true, want false", err)
	}
	if _, err := decode(t, "inner: {count: many}\n", nil); err == nil || !strings.Contains(err.Error(), `"many" is text, want a whole number`) {
		t.Fatalf("got %v", err)
	}
}

func TestExpandedPlainValuesTakeTheirYAMLType(t *testing.T) {
	type typed struct {
		Score   int      `yaml:"score"`
		Enabled bool     `yaml:"enabled"`
		Ratio   float64  `yaml:"ratio"`
		Wait    Duration `yaml:"wait"`
		Name    string   `yaml:"name"`
		Token   string   `yaml:"token"`
		Quoted  string   `yaml:"quoted"`
		Empty   string   `yaml:"empty"`
	}
	env := map[string]string{"ON": "true", "TOKEN": "0x1F", "NULLISH": "~"}
	root, err := Parse([]byte("score: ${PS:-70}\nenabled: ${ON}\nratio: ${R:-0.5}\nwait: ${W:-90s}\n" +
		"name: ${NULLISH}\ntoken: ${TOKEN}\nquoted: \"${Q:-false}\"\nempty: ${NOPE}\n"))
	if err != nil {
		t.Fatal(err)
	}
	ExpandEnv(root, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	var got typed
	if err := Decode(root, &got); err != nil {
		t.Fatal(err)
	}
	want := typed{Score: 70, Enabled: true, Ratio: 0.5, Wait: Duration(90 * time.Second), Name: "~", Token: "0x1F", Quoted: "false"}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	// A quoted or explicitly tagged value stays text, so it cannot fill a number.
	for _, text := range []string{"score: \"${PS:-70}\"\n", "score: '${PS:-70}'\n", "score: !!str ${PS:-70}\n"} {
		root, _ = Parse([]byte(text))
		ExpandEnv(root, nil)
		if err := Decode(root, &got); err == nil || !strings.Contains(err.Error(), `"70" is text, want a whole number`) {
			t.Errorf("%q: got %v, want 70 to stay text", text, err)
		}
	}
}

func TestNotUTF8IsReportedAtItsLine(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"name: x\nwait: 3m\ninner:\n  count: 3 # caf\xe9\n\n", "f.yaml:4: this line is not UTF-8 text; save the file as UTF-8"},
		{"name: \xff\r\nwait: 3m\r\n", "f.yaml:1: this line is not UTF-8 text; save the file as UTF-8"},
		{"# one\rname: x\rwait: \xc3(\r", "f.yaml:3: this line is not UTF-8 text; save the file as UTF-8"},
	} {
		if _, err := decode(t, tt.text, nil); err == nil || err.Error() != tt.want {
			t.Errorf("%q: got %v, want %q", tt.text, err, tt.want)
		}
	}
	// UTF-16 with a byte order mark is YAML too, and is not UTF-8.
	utf16 := []byte{0xff, 0xfe}
	for _, r := range "name: x\n" {
		utf16 = append(utf16, byte(r), 0)
	}
	if s, err := decode(t, string(utf16), nil); err != nil || s.Name != "x" {
		t.Fatalf("UTF-16 file: got %+v, %v; want name x", s, err)
	}
}
