module github.com/quorum-dev/quorum

go 1.26.0

require go.yaml.in/yaml/v3 v3.0.6

require (
	go.etcd.io/bbolt v1.4.3 // indirect
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/term v0.48.0 // indirect
)
