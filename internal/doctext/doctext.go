// Package doctext turns a resume or job description file (.txt, .md or .pdf) into plain text.
package doctext

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
)

// Errors that Read and FromBytes wrap, for errors.Is.
var (
	// ErrUnsupported: the file's extension is not .txt, .md or .pdf.
	ErrUnsupported = errors.New("unsupported file type")
	// ErrTooLarge: the file is larger than the limit.
	ErrTooLarge = errors.New("file too large")
	// ErrNoText: the file holds no readable text (an empty file, a binary file, a scanned PDF).
	ErrNoText = errors.New("no text found")
)

// Supported lists the extensions Read and FromBytes accept.
var Supported = []string{".txt", ".md", ".pdf"}

// Read reads a .txt, .md or .pdf file (by extension, any case) and returns its plain text.
// A file larger than maxBytes is refused with ErrTooLarge; maxBytes <= 0 means no limit.
func Read(path string, maxBytes int64) (string, error) {
	name := filepath.Base(path)
	if _, err := kindOf(name); err != nil {
		return "", err
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return "", err
	}
	if info.IsDir() {
		return "", fmt.Errorf("%s is a folder, not a file", path)
	}
	if maxBytes > 0 && info.Size() > maxBytes {
		return "", tooLarge(name, info.Size(), maxBytes)
	}
	r := io.Reader(f)
	if maxBytes > 0 {
		r = io.LimitReader(f, maxBytes+1) // the file may grow while we read it
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	if maxBytes > 0 && int64(len(data)) > maxBytes {
		return "", tooLarge(name, int64(len(data)), maxBytes)
	}
	return FromBytes(name, data)
}

// FromBytes returns the plain text of data, read as the file name says (.txt, .md or .pdf, any
// case). A name without an extension (text pasted into a chat) is read as plain text.
func FromBytes(name string, data []byte) (string, error) {
	kind, err := kindOf(name)
	if err != nil {
		return "", err
	}
	label := name
	if label == "" {
		label = "the text"
	}
	var text string
	switch kind {
	case ".pdf":
		text, err = pdfText(data)
		if err != nil {
			return "", fmt.Errorf("%s: %w", label, err)
		}
	default:
		if bytes.IndexByte(data, 0) >= 0 {
			return "", fmt.Errorf("%s looks like a binary file, not text: %w", label, ErrNoText)
		}
		text = string(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	}
	text = clean(text)
	if !hasLetters(text) {
		if kind == ".pdf" {
			return "", fmt.Errorf("%s has no text that can be extracted (a scanned image?); paste the text or upload a .txt file: %w", label, ErrNoText)
		}
		return "", fmt.Errorf("%s is empty: %w", label, ErrNoText)
	}
	return text, nil
}

// kindOf returns the lowercase extension of name: ".txt", ".md" or ".pdf"; "" counts as ".txt".
func kindOf(name string) (string, error) {
	ext := strings.ToLower(filepath.Ext(name))
	switch ext {
	case "":
		return ".txt", nil
	case ".txt", ".md", ".pdf":
		return ext, nil
	}
	return "", fmt.Errorf("%s: %w %s; use %s", name, ErrUnsupported, ext, strings.Join(Supported, ", "))
}

func tooLarge(name string, size, limit int64) error {
	return fmt.Errorf("%s is %s, over the %s limit: %w", name, humanSize(size), humanSize(limit), ErrTooLarge)
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// clean makes text valid UTF-8 with \n line ends, no control characters, no trailing spaces on
// a line, runs of spaces collapsed and at most one blank line in a row.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var out strings.Builder
	blank := 0
	for _, line := range strings.Split(s, "\n") {
		line = strings.Map(func(r rune) rune {
			switch {
			case r == '\t' || r == '\u00a0':
				return ' '
			case unicode.IsControl(r):
				return -1
			}
			return r
		}, line)
		line = strings.Join(strings.Fields(line), " ")
		if line == "" {
			blank++
			if blank > 1 || out.Len() == 0 {
				continue
			}
		} else {
			blank = 0
		}
		out.WriteString(line)
		out.WriteByte('\n')
	}
	return strings.TrimSpace(out.String())
}

func hasLetters(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// pdfText extracts the text of every page. It never panics: the PDF parser reports some
// malformed input by panicking, and that becomes an error.
func pdfText(data []byte) (text string, err error) {
	defer func() {
		if r := recover(); r != nil {
			text, err = "", errors.New("cannot read the text of this PDF (it may be damaged); save it again as PDF, or paste the text")
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		if errors.Is(err, pdf.ErrInvalidPassword) {
			return "", errors.New("the PDF is password-protected; remove the password or paste the text")
		}
		return "", errors.New("cannot read this file as a PDF (it may be damaged or not a PDF); save it again as PDF, or paste the text")
	}
	var b strings.Builder
	var pageErr error
	for i := 1; i <= r.NumPage(); i++ {
		if err := pageText(r.Page(i), &b); err != nil && pageErr == nil {
			pageErr = err
		}
		b.WriteString("\n\n")
	}
	if !hasLetters(b.String()) && pageErr != nil {
		if r.Trailer().Key("Encrypt").Kind() != pdf.Null {
			// Protected with an owner password only: viewers open it without asking, but
			// its text is encrypted, and the library cannot decrypt it.
			return "", errors.New("the PDF is protected against copying (it opens without a password, but its text is encrypted); print it to a new PDF, or paste the text")
		}
		return "", errors.New("cannot read the text of this PDF (it may be damaged, or written in a way this reader does not follow); save it again as PDF, or paste the text")
	}
	return b.String(), nil
}

// kernSpace is how far (in thousandths of the font size) a TJ array must move the pen to the
// right before we take it as a space between words; letter kerning stays well below it.
const kernSpace = 160

// pageText writes the text of one page to b. Unlike the library's GetPlainText it separates
// words that the PDF spaces apart by positioning (TJ kerning, Td moves) rather than by a
// space character, which LaTeX and many word processors do.
func pageText(p pdf.Page, b *strings.Builder) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	if p.V.IsNull() || p.V.Key("Contents").Kind() == pdf.Null {
		return nil
	}
	fonts := map[string]*pdf.Font{}
	var enc pdf.TextEncoding
	const (
		none = iota
		space
		newline
	)
	pending := none
	brk := func(kind int) {
		if kind > pending {
			pending = kind
		}
	}
	show := func(raw string) {
		var s string
		if enc != nil {
			s = enc.Decode(raw)
		} else {
			s = latin1(raw)
		}
		if s == "" {
			return
		}
		switch pending {
		case space:
			b.WriteByte(' ')
		case newline:
			b.WriteByte('\n')
		}
		pending = none
		b.WriteString(s)
	}
	pdf.Interpret(p.V.Key("Contents"), func(stk *pdf.Stack, op string) {
		n := stk.Len()
		args := make([]pdf.Value, n)
		for i := n - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		switch op {
		case "BT", "T*":
			brk(newline)
		case "Td", "TD":
			if len(args) == 2 {
				if args[1].Float64() != 0 {
					brk(newline)
				} else if args[0].Float64() != 0 {
					brk(space)
				}
			}
		case "Tm":
			brk(space)
		case "Tf":
			if len(args) == 2 {
				name := args[0].Name()
				f, ok := fonts[name]
				if !ok {
					font := p.Font(name)
					f = &font
					fonts[name] = f
				}
				enc = f.Encoder()
			}
		case "'", "\"":
			brk(newline)
			if len(args) > 0 {
				show(args[len(args)-1].RawString())
			}
		case "Tj":
			if len(args) == 1 {
				show(args[0].RawString())
			}
		case "TJ":
			if len(args) != 1 {
				return
			}
			v := args[0]
			for i := 0; i < v.Len(); i++ {
				x := v.Index(i)
				if x.Kind() == pdf.String {
					show(x.RawString())
				} else if -x.Float64() > kernSpace {
					brk(space)
				}
			}
		}
	})
	return nil
}

// latin1 reads bytes as ISO 8859-1, the best guess for a font without an encoding.
func latin1(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	rs := make([]rune, len(s))
	for i := 0; i < len(s); i++ {
		rs[i] = rune(s[i])
	}
	return string(rs)
}
