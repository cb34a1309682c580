// Package prompts holds Quorum's content, embedded in the binary: the question
// packs (packs/*.yaml) and the LLM prompt templates (llm/*.tmpl).
package prompts

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"text/template"

	"github.com/quorum-dev/quorum/bot"
)

//go:embed packs/*.yaml
var packFS embed.FS

//go:embed llm/*.tmpl
var llmFS embed.FS

// LLMTemplate parses the embedded LLM prompt template llm/NAME.tmpl. Templates are
// versioned in their names (grade.v1): a change of wording is a new file.
func LLMTemplate(name string) (*template.Template, error) {
	t, err := template.ParseFS(llmFS, "llm/"+name+".tmpl")
	if err != nil {
		return nil, fmt.Errorf("parse prompt template %s: %w", name, err)
	}
	return t, nil
}

// EmbeddedPacks parses the packs built into the binary, in file-name order.
func EmbeddedPacks() ([]*bot.Pack, error) {
	names, err := fs.Glob(packFS, "packs/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list embedded packs: %w", err)
	}
	var packs []*bot.Pack
	for _, name := range names {
		data, err := packFS.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read embedded pack: %w", err)
		}
		p, err := bot.ParsePack("prompts/"+name, data)
		if err != nil {
			return nil, err
		}
		p.Embedded = true
		packs = append(packs, p)
	}
	return packs, nil
}

// ReadPack parses a pack file from disk.
func ReadPack(file string) (*bot.Pack, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read pack: %w", err)
	}
	return bot.ParsePack(file, data)
}

// LoadBank returns the embedded packs plus the pack files named in extra. A pack file
// with the id of an embedded pack replaces it; a question id shared with the embedded
// bank means the file's question (bot.Bank.Lookup).
func LoadBank(extra ...string) (*bot.Bank, error) {
	packs, err := EmbeddedPacks()
	if err != nil {
		return nil, err
	}
	for _, f := range extra {
		p, err := ReadPack(f)
		if err != nil {
			return nil, err
		}
		// A pack of the operator's with the id of a built-in one replaces it.
		packs = slices.DeleteFunc(packs, func(old *bot.Pack) bool { return old.Embedded && old.ID == p.ID })
		packs = append(packs, p)
	}
	return bot.NewBank(packs...)
}
