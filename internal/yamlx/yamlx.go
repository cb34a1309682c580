// Package yamlx decodes YAML strictly, with errors that name the file and line.
// Config files and question packs both use it, so a typo anywhere reads the same way.
package yamlx

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Error is one problem at one place in a YAML file.
type Error struct {
	File string
	Line int
	Msg  string

	empty bool // the file holds no YAML (see IsEmpty)
}

// IsEmpty reports whether err is Parse's "the file is empty": the data held nothing but
// blank lines and comments. A caller for which that means "all defaults" checks for it.
func IsEmpty(err error) bool {
	var es Errors
	return errors.As(err, &es) && len(es) == 1 && es[0].empty
}

func (e *Error) Error() string {
	switch {
	case e.File != "" && e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	case e.File != "":
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// Errorf returns an *Error at the line of node (which may be nil).
func Errorf(node *yaml.Node, format string, args ...any) *Error {
	// A value quoted into the message may hold newlines (an id written as a block
	// scalar); the error stays on its one file:line line.
	e := &Error{Msg: strings.ReplaceAll(fmt.Sprintf(format, args...), "\n", `\n`)}
	if node != nil {
		e.Line = node.Line
	}
	return e
}

// Errors is a list of problems, sorted by line when reported.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// WithFile sets the file name on err's *Error values (also inside Errors) and returns it.
func WithFile(err error, file string) error {
	var es Errors
	if errors.As(err, &es) {
		for _, e := range es {
			e.File = file
		}
		sort.SliceStable(es, func(i, j int) bool { return es[i].Line < es[j].Line })
		return es
	}
	var e *Error
	if errors.As(err, &e) {
		e.File = file
		return e
	}
	return err
}

var lineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// Parse reads data into a document node. Syntax errors come back as Errors.
func Parse(data []byte) (*yaml.Node, error) {
	// yaml.v3 says "invalid leading UTF-8 octet" with no line; find the line here.
	if line := notUTF8Line(data); line > 0 {
		return nil, Errors{{Line: line, Msg: "this line is not UTF-8 text; save the file as UTF-8"}}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		es := convert(err).(Errors)
		// yaml.v3 gives no line for some syntax errors ("found unexpected end of
		// stream"): they are where it gave up, at the end of the file.
		for _, e := range es {
			if e.Line == 0 {
				e.Line = strings.Count(strings.TrimRight(string(data), "\n"), "\n") + 1
			}
		}
		return nil, es
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, Errors{{Line: 1, Msg: "the file is empty", empty: true}}
	}
	return doc.Content[0], nil
}

// notUTF8Line returns the line of the first byte that is not UTF-8, or 0 when data is
// UTF-8 or starts with a UTF-16 byte order mark (YAML allows UTF-16; yaml.v3 reads it).
// Lines end at \n, \r\n or \r, as yaml.v3 counts them.
func notUTF8Line(data []byte) int {
	if utf8.Valid(data) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) || bytes.HasPrefix(data, []byte{0xff, 0xfe}) {
		return 0
	}
	line := 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return line
		case r == '\n', r == '\r' && (i+1 == len(data) || data[i+1] != '\n'):
			line++
		}
		i += size
	}
	return line
}

// convert turns yaml.v3's error text ("yaml: line 3: ...") into Errors.
func convert(err error) error {
	var te *yaml.TypeError
	var out Errors
	msgs := []string{err.Error()}
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	for _, m := range msgs {
		// A quoted value may hold newlines; an error stays on its file:line line.
		m = strings.ReplaceAll(strings.TrimSpace(m), "\n", `\n`)
		if sub := lineRE.FindStringSubmatch(m); sub != nil {
			n, _ := strconv.Atoi(sub[1])
			out = append(out, &Error{Line: n, Msg: friendly(sub[2])})
			continue
		}
		out = append(out, &Error{Msg: friendly(strings.TrimPrefix(m, "yaml: "))})
	}
	return out
}

var unmarshalRE = regexp.MustCompile("^cannot unmarshal !!?(\\S+)(?: `(.*?)`)? into (.*)$")

func friendly(msg string) string {
	if sub := unmarshalRE.FindStringSubmatch(msg); sub != nil {
		want := sub[3]
		switch {
		case strings.HasPrefix(want, "[]"):
			want = "a list"
		case strings.HasPrefix(want, "map"), strings.HasPrefix(want, "struct"), strings.Contains(want, "."):
			want = "a mapping of settings"
		case strings.HasPrefix(want, "int"), strings.HasPrefix(want, "uint"):
			want = "a whole number"
		case strings.HasPrefix(want, "float"):
			want = "a number"
		case want == "bool":
			want = "true or false"
		}
		got := map[string]string{"str": "text", "seq": "a list", "map": "a mapping", "int": "a number", "bool": "true/false", "float": "a number"}[sub[1]]
		if got == "" {
			got = "a value tagged !" + sub[1] // a custom tag: `- !x |`
		}
		if sub[2] != "" && sub[1] != "seq" && sub[1] != "map" {
			return fmt.Sprintf("%q is %s, want %s", sub[2], got, want)
		}
		return fmt.Sprintf("found %s, want %s", got, want)
	}
	return msg
}

// Decode decodes node into v and reports unknown fields (by checking mapping keys
// against v's yaml tags) and bad values. It decodes what it can even when it reports
// errors, so callers can go on to validate and report every problem at once.
func Decode(node *yaml.Node, v any) error {
	var errs Errors
	checkKnown(node, reflect.TypeOf(v), &errs)
	if err := node.Decode(v); err != nil {
		var e *Error
		var es Errors
		switch {
		case errors.As(err, &e):
			errs = append(errs, e)
		case errors.As(err, &es):
			errs = append(errs, es...)
		default:
			errs = append(errs, convert(err).(Errors)...)
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// checkKnown walks mapping nodes against struct fields by their yaml tags.
func checkKnown(node *yaml.Node, t reflect.Type, errs *Errors) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if node == nil {
		return
	}
	if node.Kind == yaml.AliasNode {
		node = node.Alias
	}
	// Types that decode themselves check their own input.
	if t == nodeType || reflect.PointerTo(t).Implements(unmarshalerType) {
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if node.Kind != yaml.MappingNode {
			return // the decoder reports the type mismatch
		}
		fields := map[string]reflect.Type{}
		var names []string
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			fields[name] = f.Type
			names = append(names, name)
		}
		for i := 0; i+1 < len(node.Content); i += 2 {
			k, val := node.Content[i], node.Content[i+1]
			ft, ok := fields[k.Value]
			if !ok {
				*errs = append(*errs, Errorf(k, "unknown field %q (known: %s)", k.Value, strings.Join(names, ", ")))
				continue
			}
			checkKnown(val, ft, errs)
		}
	case reflect.Slice:
		if node.Kind == yaml.SequenceNode {
			for _, c := range node.Content {
				checkKnown(c, t.Elem(), errs)
			}
		}
	case reflect.Map:
		if node.Kind == yaml.MappingNode {
			for i := 1; i < len(node.Content); i += 2 {
				checkKnown(node.Content[i], t.Elem(), errs)
			}
		}
	}
}

var (
	unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()
	nodeType        = reflect.TypeOf(yaml.Node{})
)

var envRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}`)

// ExpandEnv replaces ${VAR} (and ${VAR:-default}) in every scalar value under node.
// Keys are left alone, and line numbers stay as they were in the file.
func ExpandEnv(node *yaml.Node, lookup func(string) (string, bool)) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	var walk func(n *yaml.Node, isKey bool)
	walk = func(n *yaml.Node, isKey bool) {
		if n.Kind == yaml.ScalarNode && !isKey && strings.Contains(n.Value, "${") {
			n.Value = envRE.ReplaceAllStringFunc(n.Value, func(m string) string {
				sub := envRE.FindStringSubmatch(m)
				if v, ok := lookup(sub[1]); ok && v != "" {
					return v
				}
				return sub[2]
			})
			retag(n)
		}
		for i, c := range n.Content {
			walk(c, n.Kind == yaml.MappingNode && i%2 == 0)
		}
	}
	walk(node, false)
}

// retag gives an expanded scalar the type YAML would give its new text, so
// `pass_score: ${PS:-70}` is a number. A quoted, block or explicitly tagged value keeps
// its tag, and a value that reads as null stays text (a token of "~" is still "~").
func retag(n *yaml.Node) {
	const keep = yaml.SingleQuotedStyle | yaml.DoubleQuotedStyle | yaml.LiteralStyle | yaml.FoldedStyle | yaml.TaggedStyle
	if n.Style&keep == 0 {
		n.Tag = ""
		n.Tag = n.ShortTag() // with no tag, ShortTag resolves one from the value
	}
	if n.Tag == "!!null" || n.Value == "" {
		n.Tag = "!!str"
	}
}

// Duration is a time.Duration written as "3m", "90s" or "1h30m".
type Duration time.Duration

// MarshalYAML writes a duration the way it is read, e.g. 3m0s.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// UnmarshalYAML parses a Go duration string.
func (d *Duration) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind != yaml.ScalarNode {
		return Errorf(node, "want a duration such as 3m or 90s")
	}
	v, err := time.ParseDuration(strings.TrimSpace(node.Value))
	if err != nil || v < 0 {
		return Errorf(node, "%q is not a duration; write it like 3m, 90s or 1h30m", node.Value)
	}
	*d = Duration(v)
	return nil
}

// Lookup returns the value node of key in mapping node m, or nil. Aliases are followed,
// so a caller indexing the value's Content sees what the decoder saw (`key_points: *k`).
func Lookup(m *yaml.Node, key string) *yaml.Node {
	m = unalias(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return unalias(m.Content[i+1])
		}
	}
	return nil
}

// unalias follows alias nodes to their anchors (a bounded walk: yaml.v3 rejects cycles).
func unalias(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}
