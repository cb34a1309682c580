module github.com/quorum-dev/quorum

go 1.25.0

require go.yaml.in/yaml/v3 v3.0.6

require (
	go.etcd.io/bbolt v1.4.3 // indirect
	golang.org/x/sys v0.29.0 // indirect
)
