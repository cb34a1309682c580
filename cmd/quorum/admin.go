package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/quorum-dev/quorum/adapters/prometheus"
	"github.com/quorum-dev/quorum/store"
)

// admin is the HTTP server on metrics.listen: /metrics for Prometheus, /healthz and
// /readyz for probes, and POST /backup for `quorum backup` while the bot holds the store.
type admin struct {
	log     *slog.Logger
	metrics *prometheus.Metrics
	// store is set once open; started once the bot has re-armed its sessions.
	store     atomic.Pointer[store.Store]
	started   atomic.Bool
	platforms []runner
}

// connected is what an adapter tells of its connection (both adapters implement it).
type connected interface{ Connected() bool }

// ready says whether the bot can serve people, and if not, why (short, for a probe's log).
func (ad *admin) ready() (bool, string) {
	st := ad.store.Load()
	if st == nil {
		return false, "store not open"
	}
	if _, err := st.Version(); err != nil {
		return false, "store not readable"
	}
	if !ad.started.Load() {
		return false, "bot not started"
	}
	var down []string
	for _, p := range ad.platforms {
		if c, ok := p.(connected); ok && !c.Connected() {
			down = append(down, p.Name())
		}
	}
	if len(down) > 0 {
		return false, strings.Join(down, ", ") + " not connected"
	}
	return true, "ready"
}

func (ad *admin) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", ad.metrics.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ok, why := ad.ready()
		if !ok {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		fmt.Fprintln(w, why)
	})
	mux.HandleFunc("POST /backup", ad.backup)
	return mux
}

// backup streams a consistent copy of the store. It holds everyone's answers, so it
// answers only to clients on this host (metrics.listen may face the network for scrapes).
func (ad *admin) backup(w http.ResponseWriter, r *http.Request) {
	if !sameHost(r) {
		ad.log.Warn("backup refused to a remote client", "remote", r.RemoteAddr)
		http.Error(w, "backups are served to this host only", http.StatusForbidden)
		return
	}
	st := ad.store.Load()
	if st == nil {
		http.Error(w, "the store is not open", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	n, err := st.Backup(r.Context(), w)
	if err != nil {
		// The status is gone with the first byte; a short body fails the client's check.
		ad.log.Error("backup", "bytes", n, "err", err)
		return
	}
	ad.log.Info("backup served", "bytes", n)
}

// sameHost reports whether r comes from loopback or from this host's own address.
func sameHost(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	remote := net.ParseIP(host)
	if remote == nil {
		return false
	}
	if remote.IsLoopback() {
		return true
	}
	local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return false
	}
	lhost, _, err := net.SplitHostPort(local.String())
	return err == nil && net.ParseIP(lhost).Equal(remote)
}

// serve listens on addr and serves until stop is called; stop waits up to 5s for
// requests in flight (a backup) to finish. It returns the address it listens on.
func (ad *admin) serve(addr string) (string, func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("metrics.listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: ad.handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			ad.log.Error("metrics server", "err", err)
		}
	}()
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}
	return ln.Addr().String(), stop, nil
}

// dialAddr is where a client on this host reaches a server listening on listen:
// a wildcard host becomes loopback.
func dialAddr(listen string) (string, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", err
	}
	switch ip := net.ParseIP(host); {
	case host == "" || (ip != nil && ip.IsUnspecified() && ip.To4() != nil):
		host = "127.0.0.1"
	case ip != nil && ip.IsUnspecified():
		host = "::1"
	}
	return net.JoinHostPort(host, port), nil
}
