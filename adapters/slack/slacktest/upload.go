package slacktest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Upload is a file the app uploaded the way Slack asks (files.getUploadURLExternal,
// a POST of the bytes to the upload URL, files.completeUploadExternal).
type Upload struct {
	ID, Name string
	// Length is what the app declared; Data is what it sent.
	Length int
	Data   []byte
	// Title, Channel and Thread come with files.completeUploadExternal; Shared is set then.
	Title, Channel, Thread string
	Shared                 bool
}

// Uploads returns the uploads shared into a conversation so far.
func (s *Server) Uploads() []Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Upload
	for i := 1; i <= len(s.uploads); i++ {
		if u := s.uploads[fmt.Sprintf("F%04d", i)]; u != nil && u.Shared {
			out = append(out, *u)
		}
	}
	return out
}

// WaitUpload returns the first shared upload that match accepts, failing t after 5 seconds.
func (s *Server) WaitUpload(t testing.TB, match func(Upload) bool) Upload {
	t.Helper()
	var got Upload
	s.wait(t, "a file upload", func() bool {
		for i := 1; i <= len(s.uploads); i++ {
			if u := s.uploads[fmt.Sprintf("F%04d", i)]; u != nil && u.Shared && (match == nil || match(*u)) {
				got = *u
				return true
			}
		}
		return false
	})
	return got
}

// WithoutFilesWrite makes the app look installed before it asked for files:write:
// the upload steps answer missing_scope, as Slack does.
func (s *Server) WithoutFilesWrite() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noFilesWrite = true
}

// uploadStep answers files.getUploadURLExternal and files.completeUploadExternal. s.mu is held.
func (s *Server) uploadStep(c Call) (map[string]any, Call) {
	if s.noFilesWrite {
		c.Error = "missing_scope"
		return map[string]any{"needed": "files:write", "provided": "commands,chat:write"}, c
	}
	if c.Method == "files.getUploadURLExternal" {
		n, err := strconv.Atoi(c.Param("length"))
		if c.Param("filename") == "" || err != nil || n <= 0 {
			c.Error = "invalid_arguments"
			return nil, c
		}
		id := fmt.Sprintf("F%04d", len(s.uploads)+1)
		s.uploads[id] = &Upload{ID: id, Name: c.Param("filename"), Length: n}
		return map[string]any{"upload_url": s.URL + "/upload/" + id, "file_id": id}, c
	}
	var files []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(c.Param("files")), &files); err != nil || len(files) == 0 {
		c.Error = "invalid_arguments"
		return nil, c
	}
	channel := c.Param("channel_id")
	if channel == "" {
		channel = c.Param("channels")
	}
	if s.outside[channel] {
		c.Error = "not_in_channel"
		return nil, c
	}
	var out []map[string]any
	for _, f := range files {
		u := s.uploads[f.ID]
		switch {
		case u == nil:
			c.Error = "file_not_found"
			return nil, c
		case u.Data == nil:
			// Slack answers this when the bytes never reached the upload URL.
			c.Error = "file_upload_not_completed"
			return nil, c
		}
		u.Title, u.Channel, u.Thread, u.Shared = f.Title, channel, c.Param("thread_ts"), true
		out = append(out, map[string]any{"id": u.ID, "title": u.Title})
	}
	return map[string]any{"files": out}, c
}

// upload takes the bytes of a file at its upload URL: a multipart form with a "file" part.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/upload/")
	c := Call{Method: "upload", Form: url.Values{"file": {id}}, At: time.Now(), Status: http.StatusOK}
	var data []byte
	err := r.ParseMultipartForm(32 << 20)
	if err == nil {
		f, _, ferr := r.FormFile("file")
		if ferr != nil {
			err = ferr
		} else {
			data, err = io.ReadAll(f)
			f.Close()
		}
	}
	s.mu.Lock()
	s.seq++
	c.Seq = s.seq
	u := s.uploads[id]
	switch {
	case u == nil:
		c.Status, c.Error = http.StatusNotFound, "file_not_found"
	case err != nil:
		c.Status, c.Error = http.StatusBadRequest, "bad_upload"
	case len(data) != u.Length:
		// Slack checks the bytes against the declared length.
		c.Status, c.Error = http.StatusBadRequest, "length_mismatch"
	default:
		u.Data = data
	}
	s.calls = append(s.calls, c)
	s.notify()
	s.mu.Unlock()
	w.WriteHeader(c.Status)
	io.WriteString(w, "OK - "+strconv.Itoa(len(data)))
}
