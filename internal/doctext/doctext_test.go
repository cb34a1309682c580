package doctext_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quorum-dev/quorum/internal/doctext"
)

const limit = 1 << 20

func TestReadText(t *testing.T) {
	got, err := doctext.Read("testdata/resume.txt", limit)
	if err != nil {
		t.Fatal(err)
	}
	// CRLF becomes LF, tabs and runs of spaces collapse, blank lines shrink to one.
	want := "Jane Doe\nStaff engineer with Kafka and Cassandra.\n\nBuilt exactly-once pipelines."
	if got != want {
		t.Errorf("Read = %q, want %q", got, want)
	}
}

func TestReadMarkdown(t *testing.T) {
	got, err := doctext.Read("testdata/job.md", limit)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got, "# Staff Engineer, Storage\n") || !strings.Contains(got, "**Cassandra**") {
		t.Errorf("Read = %q", got)
	}
}

func TestReadPDF(t *testing.T) {
	got, err := doctext.Read("testdata/resume.pdf", limit)
	if err != nil {
		t.Fatal(err)
	}
	if got != "Kafka Cassandra staff engineer\nBuilt exactly-once pipelines" {
		t.Errorf("Read(resume.pdf) = %q", got)
	}
}

func TestReadExtensionAnyCase(t *testing.T) {
	data, err := os.ReadFile("testdata/resume.pdf")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "RESUME.PDF")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := doctext.Read(path, limit)
	if err != nil || !strings.Contains(got, "Kafka Cassandra staff engineer") {
		t.Errorf("Read(RESUME.PDF) = %q, %v", got, err)
	}
}

func TestReadTooLarge(t *testing.T) {
	info, err := os.Stat("testdata/resume.pdf")
	if err != nil {
		t.Fatal(err)
	}
	_, err = doctext.Read("testdata/resume.pdf", info.Size()-1)
	if !errors.Is(err, doctext.ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if !strings.Contains(err.Error(), "resume.pdf") || !strings.Contains(err.Error(), "limit") {
		t.Errorf("message %q does not say which file and what limit", err)
	}
	// Exactly at the limit is fine.
	if _, err := doctext.Read("testdata/resume.pdf", info.Size()); err != nil {
		t.Errorf("at the limit: %v", err)
	}
}

func TestReadUnsupported(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"resume.docx", "resume.html", "resume.PDFX", "resume.rtf"} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte("Kafka"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := doctext.Read(path, limit)
		if !errors.Is(err, doctext.ErrUnsupported) {
			t.Errorf("Read(%s) err = %v, want ErrUnsupported", name, err)
			continue
		}
		if !strings.Contains(err.Error(), ".pdf") || !strings.Contains(err.Error(), name) {
			t.Errorf("message %q should name the file and the supported types", err)
		}
	}
	if _, err := doctext.Read(filepath.Join(dir, "missing.txt"), limit); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestFromBytes(t *testing.T) {
	got, err := doctext.FromBytes("", []byte("\xef\xbb\xbfpasted  text\r\nline two\n"))
	if err != nil || got != "pasted text\nline two" {
		t.Errorf("pasted = %q, %v", got, err)
	}
	got, err = doctext.FromBytes("Notes.MD", []byte("- Raft\n- Paxos"))
	if err != nil || got != "- Raft\n- Paxos" {
		t.Errorf("md = %q, %v", got, err)
	}
	for name, data := range map[string][]byte{
		"empty.txt":  nil,
		"blank.txt":  []byte(" \n\t\n"),
		"binary.txt": {'P', 'K', 3, 4, 0, 0, 1},
	} {
		if _, err := doctext.FromBytes(name, data); !errors.Is(err, doctext.ErrNoText) {
			t.Errorf("%s: err = %v, want ErrNoText", name, err)
		}
	}
	if _, err := doctext.FromBytes("cv.doc", []byte("x")); !errors.Is(err, doctext.ErrUnsupported) {
		t.Errorf("cv.doc: %v", err)
	}
}

// minimalPDF builds a one-page PDF whose page content stream is content, with the font F1.
func minimalPDF(content string) []byte {
	var b bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	b.WriteString("%PDF-1.4\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>")
	obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content)+1, content))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

// Words that a PDF spaces apart by positioning, not by a space character, stay apart.
func TestPDFWordsSpacedByPositioning(t *testing.T) {
	pdf := minimalPDF("BT /F1 12 Tf 72 720 Td [(Kafka)-333(Cass)-20(andra)] TJ 0 -14 Td (staff) Tj 30 0 Td (engineer) Tj ET")
	got, err := doctext.FromBytes("kerned.pdf", pdf)
	if err != nil {
		t.Fatal(err)
	}
	if got != "Kafka Cassandra\nstaff engineer" {
		t.Errorf("got %q", got)
	}
}

func TestPDFWithoutText(t *testing.T) {
	pdf := minimalPDF("0 0 1 rg 72 72 200 100 re f")
	_, err := doctext.FromBytes("scan.pdf", pdf)
	if !errors.Is(err, doctext.ErrNoText) {
		t.Fatalf("err = %v, want ErrNoText", err)
	}
	if !strings.Contains(err.Error(), "scan.pdf") || !strings.Contains(err.Error(), "no text") {
		t.Errorf("message %q is not clear", err)
	}
}

func TestPDFBroken(t *testing.T) {
	for name, data := range map[string][]byte{
		"garbage":   []byte("this is not a PDF at all"),
		"truncated": minimalPDF("BT /F1 12 Tf (Kafka) Tj ET")[:200],
		"empty":     nil,
	} {
		_, err := doctext.FromBytes(name+".pdf", data)
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestPDFOwnerPasswordOnly: a PDF protected only against copying (an owner password, so
// viewers open it without asking; 40-bit RC4 as fpdf and older word processors write it)
// gets a sentence saying so. It showed the PDF reader's raw error ("zlib: invalid
// header"). The fixture was made from resume.pdf with `qpdf --allow-weak-crypto --encrypt
// "" owner-secret 40 --print=n -- resume.pdf resume-owner-protected.pdf`.
func TestPDFOwnerPasswordOnly(t *testing.T) {
	data, err := os.ReadFile("testdata/resume-owner-protected.pdf")
	if err != nil {
		t.Fatal(err)
	}
	_, err = doctext.FromBytes("resume.pdf", data)
	if err == nil || !strings.Contains(err.Error(), "protected against copying") || strings.Contains(err.Error(), "zlib") {
		t.Fatalf("got %v, want a sentence about the protection, not the reader's error", err)
	}
}
