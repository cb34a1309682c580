# Quorum in a container: a static binary on distroless, run as a non-root user, with
# the config and the store in the /data volume. See docs/OPERATIONS.md.
#
#   docker build --build-arg VERSION=$(git describe --tags --always) -t quorum .
#   docker run -d --name quorum -v quorum-data:/data -p 127.0.0.1:9090:9090 \
#     -e DISCORD_TOKEN -e OPENAI_API_KEY quorum

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# Static (no cgo), reproducible paths, the version for `quorum version` and the
# metrics' quorum_build_info. The zone database is compiled in (cmd/quorum/tzdata.go).
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/quorum ./cmd/quorum
# The volume's mount point, owned by the user that runs Quorum.
RUN mkdir -p /out/data && chown 65532:65532 /out/data && chmod 0700 /out/data

# distroless/static: CA certificates and tzdata, no shell, user nonroot (65532).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/quorum /quorum
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
# /data/quorum.yaml is read by default (the working folder), and store.path's default
# quorum.db lands in /data/quorum.db. Mount a volume here to keep people's history.
WORKDIR /data
VOLUME /data
# metrics.listen: set it to 0.0.0.0:9090 in quorum.yaml to expose /metrics, /healthz, /readyz.
EXPOSE 9090
ENTRYPOINT ["/quorum"]
CMD ["run"]
