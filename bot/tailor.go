package bot

import (
	"hash/fnv"
	"sort"
	"strings"
	"time"
	"unicode"
)

// Profile is what a person told Quorum about their experience and target job.
type Profile struct {
	Resume         string    `json:"resume,omitempty"`
	JobDescription string    `json:"job_description,omitempty"`
	UpdatedAt      time.Time `json:"updated_at"`
}

func (p Profile) empty() bool {
	return strings.TrimSpace(p.Resume) == "" && strings.TrimSpace(p.JobDescription) == ""
}

// vocabTerm is one technology or concept that tailoring recognises.
type vocabTerm struct {
	id      string   // canonical: lowercase, spelled as the bank's tags spell it
	name    string   // how a sentence names it
	match   []string // phrases that mean it, besides id itself (hyphens count as spaces)
	weight  float64  // 0 means 1; broad words that every job description uses count less
	implies []string // terms a mention of this one also names ("kafka streams" names kafka)
	related []string // terms a question about which also fits, at relatedShare of the weight
	proper  []string // words matched only as written (case-sensitive) and not first in a sentence: "Go"
	noID    bool     // the id alone is too common a word to count ("cap", "coordination")
	// A match does not count right after one of notAfter or right before one of notBefore
	// ("build consensus among the teams" is not about consensus protocols).
	notAfter, notBefore []string
}

// vocabulary lists the technologies and concepts that tailoring recognises in resumes,
// job descriptions, and questions' tags, topics and prompts.
var vocabulary = []vocabTerm{
	// Messaging and streaming.
	{id: "kafka", name: "Kafka", match: []string{"apache kafka", "confluent", "msk"}, related: []string{"messaging", "event-streaming", "consumer-groups"}},
	{id: "kafka-streams", name: "Kafka Streams", match: []string{"ksql", "ksqldb"}, implies: []string{"kafka"}, related: []string{"stream-processing"}},
	{id: "rabbitmq", name: "RabbitMQ", match: []string{"rabbit mq", "amqp"}, related: []string{"messaging"}},
	{id: "sqs", name: "SQS", match: []string{"amazon sqs", "simple queue service"}, related: []string{"messaging"}},
	{id: "pulsar", name: "Pulsar", match: []string{"apache pulsar"}, related: []string{"messaging", "event-streaming"}},
	{id: "kinesis", name: "Kinesis", match: []string{"amazon kinesis"}, related: []string{"event-streaming", "messaging"}},
	{id: "flink", name: "Flink", match: []string{"apache flink"}, related: []string{"stream-processing"}},
	{id: "spark", name: "Spark", match: []string{"apache spark", "pyspark"}, related: []string{"mapreduce", "stream-processing"}},
	{id: "messaging", name: "messaging", match: []string{"message queue", "message broker", "message bus", "queue", "queueing", "queuing"}},
	{id: "event-streaming", name: "event streaming", match: []string{"event driven", "event streams", "streaming platform", "event sourcing"}, related: []string{"messaging"}},
	{id: "stream-processing", name: "stream processing", match: []string{"streaming", "stream processor", "real time processing", "streaming pipeline"}},
	{id: "pub-sub", name: "pub/sub", match: []string{"pubsub", "publish subscribe"}, related: []string{"messaging"}},
	{id: "consumer-groups", name: "consumer groups", match: []string{"consumer group"}},
	{id: "isr", name: "in-sync replicas", match: []string{"in sync replica", "insync replica", "high watermark", "leader epoch"}, related: []string{"kafka"}},
	{id: "zero-copy", name: "zero-copy transfer", match: []string{"zero copy", "sendfile"}},
	{id: "dual-writes", name: "dual writes", match: []string{"dual write"}, related: []string{"outbox", "cdc"}},
	{id: "offsets", name: "consumer offsets", match: []string{"consumer offset", "offset commit", "offset management"}},
	{id: "dead-letter-queue", name: "dead-letter queues", match: []string{"dead letter queues", "dlq"}},
	{id: "backpressure", name: "backpressure", match: []string{"back pressure", "flow control", "reactive streams"}},
	{id: "exactly-once", name: "exactly-once delivery", match: []string{"exactly once", "exactly once semantics", "effectively once"}},
	{id: "at-least-once", name: "at-least-once delivery", match: []string{"at least once"}},
	{id: "delivery-semantics", name: "delivery guarantees", match: []string{"delivery semantics", "delivery guarantee", "at most once"}},
	{id: "ordering", name: "message ordering", noID: true, match: []string{"message ordering", "ordering guarantee", "total order", "total ordering", "in order delivery"}},
	{id: "idempotency", name: "idempotency", match: []string{"idempotent", "idempotence", "idempotency key"}},
	{id: "deduplication", name: "deduplication", match: []string{"dedup", "dedupe", "deduplicate", "duplicate detection"}},
	{id: "outbox", name: "the transactional outbox", match: []string{"transactional outbox", "outbox pattern"}},
	{id: "cdc", name: "change data capture", match: []string{"change data capture"}},
	{id: "debezium", name: "Debezium", related: []string{"cdc"}},
	{id: "binlog", name: "binlogs", match: []string{"binary log"}, related: []string{"cdc", "mysql"}},

	// Databases and storage systems.
	{id: "cassandra", name: "Cassandra", match: []string{"apache cassandra", "scylla", "scylladb"}, related: []string{"dynamo", "leaderless", "quorum", "consistent-hashing", "replication", "sharding"}},
	{id: "dynamo", name: "Dynamo", match: []string{"amazon dynamo", "dynamo style"}, related: []string{"leaderless", "quorum", "dynamodb"}},
	{id: "dynamodb", name: "DynamoDB", match: []string{"dynamo db", "amazon dynamodb"}, related: []string{"dynamo", "sharding"}},
	{id: "riak", name: "Riak", related: []string{"dynamo", "leaderless"}},
	{id: "couchbase", name: "Couchbase"},
	{id: "mongodb", name: "MongoDB", match: []string{"mongo"}, related: []string{"replication", "sharding"}},
	{id: "redis", name: "Redis", related: []string{"caching"}},
	{id: "redis-cluster", name: "Redis Cluster", implies: []string{"redis"}, related: []string{"sharding"}},
	{id: "memcached", name: "Memcached", match: []string{"memcache"}, related: []string{"caching"}},
	{id: "elasticsearch", name: "Elasticsearch", match: []string{"elastic search", "opensearch"}, related: []string{"search"}},
	{id: "postgresql", name: "PostgreSQL", match: []string{"postgres", "psql"}},
	{id: "mysql", name: "MySQL", match: []string{"mariadb", "percona"}},
	{id: "innodb", name: "InnoDB"},
	{id: "rocksdb", name: "RocksDB", match: []string{"rocks db"}, related: []string{"lsm-tree"}},
	{id: "leveldb", name: "LevelDB", match: []string{"level db"}, related: []string{"lsm-tree"}},
	{id: "hbase", name: "HBase", match: []string{"apache hbase"}, related: []string{"bigtable", "range-partitioning"}},
	{id: "bigtable", name: "Bigtable", match: []string{"big table", "cloud bigtable"}},
	{id: "spanner", name: "Spanner", match: []string{"cloud spanner", "google spanner"}, related: []string{"truetime"}},
	{id: "cockroachdb", name: "CockroachDB", match: []string{"cockroach", "cockroach db", "crdb"}, related: []string{"hlc", "raft"}},
	{id: "tidb", name: "TiDB", related: []string{"tikv", "percolator"}},
	{id: "tikv", name: "TiKV", related: []string{"raft", "percolator"}},
	{id: "vitess", name: "Vitess", related: []string{"sharding", "mysql"}},
	{id: "citus", name: "Citus", related: []string{"sharding", "postgresql"}},
	{id: "aurora", name: "Aurora", match: []string{"amazon aurora"}, related: []string{"quorum"}},
	{id: "patroni", name: "Patroni", related: []string{"failover", "postgresql"}},
	{id: "percolator", name: "Percolator"},
	{id: "calvin", name: "Calvin"},
	{id: "faunadb", name: "FaunaDB", match: []string{"fauna"}},
	{id: "clickhouse", name: "ClickHouse", match: []string{"click house"}, related: []string{"columnar", "olap"}},
	{id: "gfs", name: "GFS", match: []string{"google file system"}},
	{id: "hdfs", name: "HDFS", match: []string{"hadoop distributed file system", "namenode"}},
	{id: "hadoop", name: "Hadoop", match: []string{"apache hadoop"}, related: []string{"hdfs", "mapreduce"}},
	{id: "mapreduce", name: "MapReduce", match: []string{"map reduce"}},
	{id: "time-series", name: "time-series databases", match: []string{"time series", "tsdb", "influxdb", "timescaledb"}},

	// Coordination, consensus and cluster management.
	{id: "etcd", name: "etcd", related: []string{"coordination", "raft"}},
	{id: "zookeeper", name: "ZooKeeper", match: []string{"zk", "zoo keeper"}, related: []string{"coordination", "zab"}},
	{id: "consul", name: "Consul", match: []string{"hashicorp consul"}, related: []string{"service-discovery"}},
	{id: "chubby", name: "Chubby", related: []string{"coordination"}},
	{id: "kubernetes", name: "Kubernetes", match: []string{"k8s", "kube", "eks", "gke", "openshift"}, related: []string{"etcd"}},
	{id: "raft", name: "Raft", related: []string{"consensus"}},
	{id: "paxos", name: "Paxos", related: []string{"consensus"}},
	{id: "multi-paxos", name: "Multi-Paxos", match: []string{"multipaxos"}, implies: []string{"paxos"}},
	{id: "zab", name: "Zab", related: []string{"zookeeper"}},
	{id: "znodes", name: "znodes", match: []string{"znode", "ephemeral node"}, related: []string{"zookeeper"}},
	{id: "consensus", name: "consensus", match: []string{"consensus protocol", "consensus algorithm"},
		notAfter:  []string{"build", "builds", "building", "drive", "drives", "driving", "reach", "reaching", "gain", "gaining", "achieve", "achieving", "forge", "forging", "foster", "fostering", "create", "creating", "seek", "seeking", "find", "finding", "broad", "team", "group", "general", "stakeholder"},
		notBefore: []string{"among", "across", "with", "on", "around", "between", "from", "building", "builder"}},
	{id: "coordination", name: "coordination services", match: []string{"coordination service", "distributed coordination"}, noID: true},
	{id: "leader-election", name: "leader election", match: []string{"leader elections", "elect a leader"}},
	{id: "state-machine-replication", name: "state machine replication", match: []string{"replicated state machine"}, implies: []string{"replication"}},
	{id: "log-replication", name: "log replication", match: []string{"replicated log"}, implies: []string{"replication"}},
	{id: "flp", name: "the FLP result", match: []string{"flp impossibility"}},
	{id: "membership", name: "cluster membership", match: []string{"cluster membership", "group membership", "membership protocol"}},
	{id: "gossip", name: "gossip protocols", match: []string{"gossip protocol", "epidemic protocol", "epidemic"}},
	{id: "swim", name: "SWIM", related: []string{"gossip", "membership"}},
	{id: "memberlist", name: "memberlist", related: []string{"gossip", "membership"}},
	{id: "failure-detection", name: "failure detection", match: []string{"failure detector", "phi accrual", "chandra toueg"}},
	{id: "health-checks", name: "health checks", match: []string{"health check", "liveness probe", "readiness probe"}},
	{id: "heartbeats", name: "heartbeats", match: []string{"heartbeat"}},
	{id: "service-discovery", name: "service discovery"},
	{id: "leases", name: "leases", match: []string{"lease"}},
	{id: "fencing", name: "fencing tokens", match: []string{"fencing token", "stonith"}},
	{id: "distributed-locks", name: "distributed locks", match: []string{"distributed lock", "distributed locking", "lock service"}, related: []string{"locking"}},
	{id: "redlock", name: "Redlock", implies: []string{"distributed-locks", "redis"}},
	{id: "split-brain", name: "split-brain", match: []string{"split brain"}},
	{id: "failover", name: "failover", match: []string{"fail over", "automatic failover"}},
	{id: "bft", name: "Byzantine fault tolerance", match: []string{"byzantine", "byzantine fault tolerant", "byzantine generals"}},
	{id: "pbft", name: "PBFT", match: []string{"practical byzantine fault tolerance"}, implies: []string{"bft"}},
	{id: "tendermint", name: "Tendermint", match: []string{"cometbft"}, related: []string{"bft", "blockchain"}},
	{id: "hotstuff", name: "HotStuff", match: []string{"librabft", "diembft"}, related: []string{"bft"}},
	{id: "blockchain", name: "blockchains", match: []string{"bitcoin", "ethereum", "web3", "cryptocurrency", "smart contract"}, related: []string{"bft"}},
	{id: "cryptography", name: "cryptography", match: []string{"digital signature", "cryptographic"}, weight: 0.6},

	// Replication and consistency.
	{id: "replication", name: "replication", match: []string{"replicated", "replica", "replicate", "streaming replication"}},
	{id: "leader-follower", name: "leader-follower replication", match: []string{"leader follower", "primary replica", "primary secondary", "master slave", "single leader", "primary backup", "read replica"}, related: []string{"replication"}},
	{id: "multi-leader", name: "multi-leader replication", match: []string{"multi leader", "multi master", "active active", "multi primary"}, related: []string{"conflict-resolution"}},
	{id: "leaderless", name: "leaderless replication", implies: []string{"replication"}, related: []string{"quorum"}},
	{id: "quorum", name: "quorums", match: []string{"quorums", "majority quorum"}},
	{id: "read-repair", name: "read repair"},
	{id: "hinted-handoff", name: "hinted handoff"},
	{id: "anti-entropy", name: "anti-entropy"},
	{id: "merkle-tree", name: "Merkle trees", match: []string{"merkle"}},
	{id: "crdt", name: "CRDTs", match: []string{"conflict free replicated data type", "convergent replicated data type"}},
	{id: "conflict-resolution", name: "conflict resolution", match: []string{"conflict handling"}},
	{id: "last-write-wins", name: "last-write-wins", match: []string{"last writer wins", "lww"}},
	{id: "replication-lag", name: "replication lag", match: []string{"replica lag"}},
	{id: "semi-sync", name: "semi-synchronous replication", match: []string{"semi synchronous", "semisync"}, implies: []string{"replication"}},
	{id: "chain-replication", name: "chain replication", match: []string{"craq"}, implies: []string{"replication"}},
	{id: "tombstones", name: "tombstones", match: []string{"tombstone"}},
	{id: "geo-replication", name: "geo-replication", match: []string{"geo replicated", "cross region replication"}, implies: []string{"replication"}, related: []string{"multi-region"}},
	{id: "multi-region", name: "multi-region deployments", match: []string{"multi region", "cross region", "multiple regions", "geo distributed", "globally distributed", "multi datacenter", "multi data center", "multiple data centers", "multiple datacenters"}},
	{id: "network-partition", name: "network partitions", match: []string{"network partition", "partition tolerance"}},
	{id: "consistency-models", name: "consistency models", match: []string{"consistency model", "consistency", "consistency guarantee"}},
	{id: "linearizability", name: "linearizability", match: []string{"linearizable", "strong consistency", "strongly consistent"}},
	{id: "serializability", name: "serializability", match: []string{"serializable", "serialisable", "serialisability", "ssi"}},
	{id: "eventual-consistency", name: "eventual consistency", match: []string{"eventually consistent"}},
	{id: "causal-consistency", name: "causal consistency", match: []string{"causally consistent"}},
	{id: "sequential-consistency", name: "sequential consistency"},
	{id: "session-guarantees", name: "session guarantees", match: []string{"read your writes", "read your own writes", "monotonic reads"}},
	{id: "consistent-prefix", name: "consistent prefix reads"},
	{id: "bounded-staleness", name: "bounded staleness", match: []string{"follower reads", "stale reads"}},
	{id: "coordination-avoidance", name: "coordination avoidance", match: []string{"coordination free", "calm theorem"}},
	{id: "cap", name: "the CAP theorem", match: []string{"cap theorem"}, noID: true},
	{id: "pacelc", name: "PACELC"},
	{id: "causality", name: "causality", match: []string{"causal", "causal ordering", "causal order"}},
	{id: "happens-before", name: "happens-before", match: []string{"happened before"}},

	// Time and clocks.
	{id: "clocks", name: "clocks", match: []string{"wall clock", "monotonic clock", "physical clock", "system clock"}},
	{id: "clock-skew", name: "clock skew", match: []string{"clock drift"}, implies: []string{"clocks"}},
	{id: "clock-synchronization", name: "clock synchronization", match: []string{"clock sync", "time synchronization", "time sync"}, implies: []string{"clocks"}},
	{id: "vector-clocks", name: "vector clocks", match: []string{"vector clock"}},
	{id: "version-vectors", name: "version vectors", match: []string{"version vector"}},
	{id: "lamport-clocks", name: "Lamport clocks", match: []string{"lamport clock", "lamport timestamp"}},
	{id: "logical-clocks", name: "logical clocks", match: []string{"logical clock", "logical time"}},
	{id: "hlc", name: "hybrid logical clocks", match: []string{"hybrid logical clock"}},
	{id: "truetime", name: "TrueTime", match: []string{"true time", "commit wait"}},
	{id: "ntp", name: "NTP", match: []string{"network time protocol"}, related: []string{"clock-synchronization"}},
	{id: "ptp", name: "PTP", match: []string{"precision time protocol"}, related: []string{"clock-synchronization"}},
	{id: "chrony", name: "chrony", related: []string{"clock-synchronization"}},
	{id: "leap-second", name: "leap seconds"},
	{id: "timestamp-oracle", name: "timestamp oracles"},

	// Transactions.
	{id: "transactions", name: "transactions", match: []string{"transaction", "transactional", "acid", "distributed transactions"}},
	{id: "2pc", name: "two-phase commit", match: []string{"two phase commit", "xa transactions", "xa"}, related: []string{"atomic-commit"}},
	{id: "3pc", name: "three-phase commit", match: []string{"three phase commit"}},
	{id: "atomic-commit", name: "atomic commit", match: []string{"atomic commitment"}},
	{id: "2pl", name: "two-phase locking", match: []string{"two phase locking"}},
	{id: "saga", name: "sagas", match: []string{"sagas", "saga pattern"}},
	{id: "snapshot-isolation", name: "snapshot isolation"},
	{id: "isolation-levels", name: "isolation levels", match: []string{"isolation level", "transaction isolation", "read committed", "repeatable read", "read uncommitted"}},
	{id: "mvcc", name: "MVCC", match: []string{"multi version concurrency control", "multiversion concurrency control"}},
	{id: "optimistic-concurrency", name: "optimistic concurrency control", match: []string{"optimistic concurrency", "optimistic locking", "occ", "compare and swap", "compare and set"}},
	{id: "locking", name: "locking", match: []string{"locks", "lock contention", "pessimistic locking", "row locks"}, weight: 0.6},
	{id: "deadlock", name: "deadlocks"},
	{id: "write-skew", name: "write skew"},
	{id: "lost-update", name: "lost updates"},
	{id: "phantoms", name: "phantom reads", match: []string{"phantom read", "phantoms"}},

	// Partitioning.
	{id: "sharding", name: "sharding", match: []string{"shard", "sharded", "partitioning", "partitioned", "data partitioning", "horizontal partitioning"}},
	{id: "consistent-hashing", name: "consistent hashing", match: []string{"consistent hash", "hash ring"}},
	{id: "rendezvous-hashing", name: "rendezvous hashing", match: []string{"highest random weight"}},
	{id: "rebalancing", name: "rebalancing", match: []string{"rebalance"}},
	{id: "hot-keys", name: "hot keys", match: []string{"hot key", "hot spot", "hotspot", "hot partition", "data skew"}},
	{id: "secondary-index", name: "secondary indexes", match: []string{"secondary indexes", "secondary indices", "global secondary index"}},
	{id: "range-partitioning", name: "range partitioning", match: []string{"range partitioned", "range partition"}, implies: []string{"sharding"}},
	{id: "resharding", name: "resharding", match: []string{"re sharding", "reshard"}, implies: []string{"sharding"}},
	{id: "vnodes", name: "virtual nodes", match: []string{"vnode", "virtual node"}},
	{id: "multi-tenant", name: "multi-tenancy", match: []string{"multi tenancy", "multitenant", "multitenancy"}},
	{id: "request-routing", name: "request routing"},
	{id: "count-min-sketch", name: "count-min sketches", match: []string{"count min", "heavy hitters"}, related: []string{"hot-keys"}},
	{id: "counters", name: "distributed counters", match: []string{"distributed counter"}, noID: true},

	// Storage engines.
	{id: "storage", name: "storage engines", match: []string{"storage engine", "storage system", "storage"}, weight: 0.5},
	{id: "lsm-tree", name: "LSM trees", match: []string{"lsm", "log structured merge", "sstable", "memtable"}},
	{id: "b-tree", name: "B-trees", match: []string{"btree", "b+ tree"}},
	{id: "wal", name: "write-ahead logging", match: []string{"write ahead log", "write ahead logging", "redo log"}},
	{id: "compaction", name: "compaction"},
	{id: "log-compaction", name: "log compaction", match: []string{"compacted topic"}},
	{id: "bloom-filter", name: "Bloom filters"},
	{id: "fsync", name: "fsync", match: []string{"fdatasync"}},
	{id: "durability", name: "durability", match: []string{"durable"}, weight: 0.7},
	{id: "recovery", name: "crash recovery", match: []string{"crash recovery"}},
	{id: "aries", name: "ARIES"},
	{id: "indexes", name: "indexes", match: []string{"index", "indices", "indexing"}, weight: 0.5},
	{id: "columnar", name: "columnar storage", match: []string{"column store", "column oriented"}},
	{id: "olap", name: "OLAP", match: []string{"data warehouse", "data warehousing"}},
	{id: "parquet", name: "Parquet", related: []string{"columnar"}},
	{id: "object-storage", name: "object storage", match: []string{"object store", "s3", "blob storage", "blob store"}},
	{id: "erasure-coding", name: "erasure coding", match: []string{"erasure code", "reed solomon"}},
	{id: "snapshots", name: "snapshots", match: []string{"snapshot", "snapshotting"}},
	{id: "checkpoints", name: "checkpointing", match: []string{"checkpoint"}},
	{id: "backups", name: "backups", match: []string{"backup"}, weight: 0.6},
	{id: "disaster-recovery", name: "disaster recovery"},
	{id: "data-integrity", name: "data integrity", match: []string{"data corruption", "data loss"}, weight: 0.7},
	{id: "caching", name: "caching", match: []string{"cache", "cached", "cdn"}, weight: 0.7},
	{id: "invalidation", name: "cache invalidation", match: []string{"cache invalidation"}},
	{id: "search", name: "search", match: []string{"full text search", "search engine", "search index"}, weight: 0.4},

	// Reliability and operations.
	{id: "fault-tolerance", name: "fault tolerance", match: []string{"fault tolerant"}},
	{id: "resilience", name: "resilience", match: []string{"resilient"}, weight: 0.6},
	{id: "timeouts", name: "timeouts", match: []string{"timeout"}},
	{id: "retries", name: "retries", match: []string{"retry", "retrying", "retry policy"}},
	{id: "backoff", name: "exponential backoff", match: []string{"exponential backoff"}},
	{id: "jitter", name: "jitter", weight: 0.6},
	{id: "circuit-breaker", name: "circuit breakers", match: []string{"circuit breaking"}},
	{id: "bulkhead", name: "bulkheads"},
	{id: "load-shedding", name: "load shedding", match: []string{"shed load"}},
	{id: "rate-limiting", name: "rate limiting", match: []string{"rate limit", "rate limiter", "throttling", "token bucket"}},
	{id: "overload", name: "overload", match: []string{"overloaded", "overload protection", "concurrency limit", "adaptive concurrency"}},
	{id: "cascading-failure", name: "cascading failures", match: []string{"retry storm"}},
	{id: "metastable-failure", name: "metastable failures", match: []string{"metastable"}},
	{id: "gray-failure", name: "gray failures", match: []string{"grey failure"}},
	{id: "tail-latency", name: "tail latency", match: []string{"p99", "p999", "99th percentile"}},
	{id: "hedged-requests", name: "hedged requests", match: []string{"hedged request", "request hedging"}},
	{id: "latency", name: "latency", match: []string{"low latency"}, weight: 0.5},
	{id: "load-balancing", name: "load balancing", match: []string{"load balancer"}},
	{id: "haproxy", name: "HAProxy", related: []string{"load-balancing"}},
	{id: "availability", name: "availability", match: []string{"high availability", "highly available"}, weight: 0.5},
	{id: "reliability", name: "reliability", match: []string{"site reliability", "sre"}, weight: 0.4},
	{id: "scalability", name: "scalability", match: []string{"scalable", "scaling", "horizontal scaling", "scale out"}, weight: 0.4},
	{id: "observability", name: "observability", match: []string{"distributed tracing", "tracing", "opentelemetry", "logging"}, weight: 0.6},
	{id: "monitoring", name: "monitoring", weight: 0.5},
	{id: "alerting", name: "alerting", weight: 0.5},
	{id: "prometheus", name: "Prometheus", related: []string{"monitoring", "time-series"}},
	{id: "slo", name: "SLOs", match: []string{"slos", "service level objective", "sli", "slis"}},
	{id: "sla", name: "SLAs", match: []string{"slas", "service level agreement"}},
	{id: "error-budget", name: "error budgets"},
	{id: "incident-response", name: "incident response", match: []string{"incident management", "incident", "incident commander", "outage"}},
	{id: "on-call", name: "on-call", match: []string{"oncall", "pagerduty"}},
	{id: "postmortem", name: "postmortems", match: []string{"post mortem", "post incident review"}},
	{id: "chaos-engineering", name: "chaos engineering", match: []string{"game day", "chaos testing"}},
	{id: "fault-injection", name: "fault injection", match: []string{"failure injection"}},
	{id: "capacity-planning", name: "capacity planning"},
	{id: "load-testing", name: "load testing", match: []string{"load test", "stress testing", "performance testing"}},
	{id: "jepsen", name: "Jepsen"},
	{id: "deployment", name: "deployments", match: []string{"deploy", "rollout", "release engineering"}, weight: 0.4},
	{id: "canary", name: "canary releases", match: []string{"canary deployment", "canaries"}},
	{id: "rollback", name: "rollbacks"},
	{id: "schema-migration", name: "schema migrations", match: []string{"schema change", "database migration"}},
	{id: "migration", name: "migrations", weight: 0.5},
	{id: "mentoring", name: "mentoring", match: []string{"mentor", "mentored", "mentorship"}},
	{id: "technical-debt", name: "technical debt", match: []string{"tech debt"}},
	{id: "runbook", name: "runbooks"},

	// Services and APIs.
	{id: "microservices", name: "microservices", match: []string{"microservice", "micro services", "service oriented architecture"}},
	{id: "api", name: "APIs", match: []string{"apis", "rest api", "restful"}, weight: 0.4},
	{id: "rpc", name: "RPC", match: []string{"rpcs", "remote procedure call"}},
	{id: "grpc", name: "gRPC", related: []string{"rpc"}},
	{id: "deadlines", name: "deadline propagation", match: []string{"deadline propagation", "request deadline"}},
	{id: "payments", name: "payments", match: []string{"payment", "payment system"}, weight: 0.7},
	{id: "notifications", name: "notifications", match: []string{"notification", "push notification"}, weight: 0.6},
	{id: "fan-out", name: "fan-out", match: []string{"fanout", "fan out"}},
	{id: "unique-ids", name: "unique ID generation", match: []string{"unique id", "id generation", "distributed id", "snowflake id"}},
	{id: "url-shortener", name: "URL shorteners"},
	{id: "scheduler", name: "job scheduling", match: []string{"job scheduler", "job scheduling", "distributed cron", "cron"}, noID: true},
	{id: "webhooks", name: "webhooks", match: []string{"webhook"}},
	{id: "feature-flags", name: "feature flags", match: []string{"feature flag", "feature toggle"}},
	{id: "data-modeling", name: "data modeling", match: []string{"data modelling", "data model", "schema design"}},
	{id: "system-design", name: "system design", match: []string{"systems design"}},
	{id: "workflow-orchestration", name: "workflow orchestration", match: []string{"workflow engine"}},
	{id: "temporal", name: "Temporal", match: []string{"temporal io", "temporalio", "temporal workflow"}, related: []string{"workflow-orchestration"}},

	// Platforms, languages and tools.
	{id: "aws", name: "AWS", match: []string{"amazon web services"}, weight: 0.5},
	{id: "linux", name: "Linux", weight: 0.5},
	{id: "go", name: "Go", match: []string{"golang"}, proper: []string{"Go"}, weight: 0.5},
	{id: "akka", name: "Akka"},
	{id: "finagle", name: "Finagle"},
}

// topicTerms are the terms that a bank topic is about; a topic missing here is read with ExtractTerms.
var topicTerms = map[string][]string{
	"consensus":       {"consensus"},
	"replication":     {"replication"},
	"consistency":     {"consistency-models"},
	"time":            {"clocks"},
	"transactions":    {"transactions"},
	"partitioning":    {"sharding"},
	"fault-tolerance": {"fault-tolerance"},
	"storage":         {"storage"},
	"messaging":       {"messaging"},
	"coordination":    {"coordination"},
	"byzantine":       {"bft"},
	"system-design":   {"system-design"},
	"papers":          {},
	"coding":          {},
	"behavioral":      {},
}

// vocabIndex is the vocabulary ready for matching. It is built once and never changed.
type vocabIndex struct {
	terms   map[string]*vocabTerm
	phrases map[string][]vocabPhrase // by first word
}

type vocabPhrase struct {
	words  []string // lowercase
	term   *vocabTerm
	proper string // when set, the one word must be written exactly so
}

var vocab = buildVocab(vocabulary)

func buildVocab(list []vocabTerm) *vocabIndex {
	ix := &vocabIndex{terms: map[string]*vocabTerm{}, phrases: map[string][]vocabPhrase{}}
	seen := map[string]bool{}
	add := func(words []string, t *vocabTerm, proper string) {
		if len(words) == 0 {
			return
		}
		key := strings.Join(words, " ") + "\x00" + t.id + "\x00" + proper
		if seen[key] {
			return
		}
		seen[key] = true
		ix.phrases[words[0]] = append(ix.phrases[words[0]], vocabPhrase{words: words, term: t, proper: proper})
	}
	for i := range list {
		t := &list[i]
		ix.terms[t.id] = t
		phrases := t.match
		if !t.noID && len(t.proper) == 0 {
			phrases = append([]string{t.id}, t.match...)
		}
		for _, m := range phrases {
			words := splitWords(strings.ToLower(m))
			if len(words) == 0 {
				continue
			}
			for _, form := range pluralForms(words[len(words)-1]) {
				w := append(append([]string(nil), words[:len(words)-1]...), form)
				add(w, t, "")
			}
		}
		for _, m := range t.proper {
			add([]string{strings.ToLower(m)}, t, m)
		}
	}
	return ix
}

// pluralForms returns w and, for words long enough not to collide with others, its plural.
func pluralForms(w string) []string {
	out := []string{w}
	n := len(w)
	if n < 4 || !isASCIILetters(w) {
		return out
	}
	switch {
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "x"), strings.HasSuffix(w, "ch"), strings.HasSuffix(w, "sh"):
		out = append(out, w+"es")
	case strings.HasSuffix(w, "s"):
		// already plural, or a word like "paxos"
	case strings.HasSuffix(w, "y") && !strings.ContainsRune("aeiou", rune(w[n-2])):
		out = append(out, w[:n-1]+"ies")
	default:
		out = append(out, w+"s")
	}
	return out
}

func isASCIILetters(w string) bool {
	for _, r := range w {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

// splitWords splits at anything that is not a letter or a digit.
func splitWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// token is one word of a text.
type token struct {
	lower string
	orig  string
	start bool // first word of a sentence, line or list item
	comma bool // followed at once by a comma, slash or closing bracket (a list of names)
}

func tokenize(text string) []token {
	var out []token
	rs := []rune(text)
	start := true
	for i := 0; i < len(rs); {
		r := rs[i]
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			j := i
			for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j])) {
				j++
			}
			w := string(rs[i:j])
			tk := token{lower: strings.ToLower(w), orig: w, start: start}
			if j < len(rs) && strings.ContainsRune(",/);", rs[j]) {
				tk.comma = true
			}
			out = append(out, tk)
			start = false
			i = j
			continue
		}
		if strings.ContainsRune(".!?\n•*", r) {
			start = true
		}
		i++
	}
	return out
}

// countTerms counts the mentions of each vocabulary term in text, longest phrase first
// at each word; a mention also counts for the terms it implies.
func countTerms(text string) map[string]int {
	toks := tokenize(text)
	counts := map[string]int{}
	for i := 0; i < len(toks); {
		best := 0
		var bestTerms []string
		for _, ph := range vocab.phrases[toks[i].lower] {
			if !ph.matchAt(toks, i) {
				continue
			}
			switch n := len(ph.words); {
			case n > best:
				best, bestTerms = n, []string{ph.term.id}
			case n == best && !hasString(bestTerms, ph.term.id):
				bestTerms = append(bestTerms, ph.term.id)
			}
		}
		if best == 0 {
			i++
			continue
		}
		for _, id := range bestTerms {
			counts[id]++
			for _, imp := range vocab.terms[id].implies {
				counts[imp]++
			}
		}
		i += best
	}
	return counts
}

func (ph vocabPhrase) matchAt(toks []token, i int) bool {
	if i+len(ph.words) > len(toks) {
		return false
	}
	for k, w := range ph.words {
		if toks[i+k].lower != w {
			return false
		}
	}
	if ph.proper != "" {
		t := toks[i]
		if t.orig != ph.proper || (t.start && !t.comma) {
			return false
		}
	}
	if i > 0 && hasString(ph.term.notAfter, toks[i-1].lower) {
		return false
	}
	if j := i + len(ph.words); j < len(toks) && hasString(ph.term.notBefore, toks[j].lower) {
		return false
	}
	return true
}

// ExtractTerms returns the terms found in a text: technologies (kafka, cassandra, etcd...) and
// concepts (consensus, sharding...), lowercase, sorted, deduplicated.
func ExtractTerms(text string) []string {
	counts := countTerms(text)
	if len(counts) == 0 {
		return nil
	}
	out := make([]string, 0, len(counts))
	for id := range counts {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Seniority levels.
const (
	levelJunior = "junior"
	levelMid    = "mid"
	levelSenior = "senior"
	levelStaff  = "staff"
)

// roleWords can follow a level word in a job title ("staff software engineer", "lead backend developer").
var roleWords = map[string]bool{
	"engineer": true, "engineers": true, "engineering": true, "developer": true, "developers": true,
	"dev": true, "sre": true, "swe": true, "sde": true, "programmer": true, "scientist": true,
	"architect": true, "software": true, "backend": true, "back": true, "frontend": true, "front": true,
	"fullstack": true, "full": true, "infrastructure": true, "platform": true, "systems": true,
	"system": true, "data": true, "distributed": true, "cloud": true, "devops": true, "site": true,
	"security": true, "ml": true, "level": true, "role": true, "position": true, "member": true,
	"technical": true, "tech": true, "staff": true, "principal": true, "consultant": true,
	"researcher": true, "database": true, "network": true, "mobile": true, "web": true,
	"product": true, "reliability": true, "application": true, "applications": true,
}

// notTitleBefore are words before "senior"/"junior"/"intern" that make it about other people.
var notTitleBefore = map[string]bool{
	"mentor": true, "mentors": true, "mentoring": true, "mentored": true, "coach": true,
	"coaching": true, "guide": true, "guiding": true, "from": true, "with": true, "alongside": true,
	"by": true, "other": true, "more": true, "among": true, "supervise": true, "supervising": true,
	"manage": true, "managing": true, "hire": true, "hiring": true, "onboard": true,
}

// notTitleAfter are words after "senior"/"junior" that make it not a level of the role.
var notTitleAfter = map[string]bool{
	"leadership": true, "leaders": true, "management": true, "managers": true, "executives": true,
	"stakeholders": true, "director": true, "directors": true, "vice": true, "vp": true,
	"members": true, "colleagues": true, "peers": true, "folks": true, "people": true,
}

// verbsBeforeLead mark "lead" as a verb ("you will lead engineers").
var verbsBeforeLead = map[string]bool{
	"will": true, "to": true, "and": true, "you": true, "can": true, "help": true, "helping": true,
	"or": true, "would": true, "also": true, "may": true, "should": true,
}

var architectBefore = map[string]bool{
	"software": true, "solutions": true, "solution": true, "systems": true, "system": true,
	"cloud": true, "data": true, "enterprise": true, "technical": true, "platform": true,
	"principal": true, "chief": true, "lead": true, "staff": true, "infrastructure": true,
	"senior": true, "an": true, "as": true,
}

// Seniority guesses the level a job description asks for: "junior", "mid", "senior" or "staff"
// ("" when unclear). staff covers staff/principal/distinguished/architect; senior covers
// senior/sr/lead; junior covers junior/new grad/entry level/intern. The first title-like mention
// wins (a job description names its role first); years of experience decide when no title does.
func Seniority(text string) string {
	toks := tokenize(text)
	w := func(i int) string {
		if i < 0 || i >= len(toks) {
			return ""
		}
		return toks[i].lower
	}
	roleWithin := func(i, n int) bool {
		for k := 1; k <= n; k++ {
			if roleWords[w(i+k)] {
				return true
			}
		}
		return false
	}
	for i := range toks {
		prev, next := w(i-1), w(i+1)
		switch w(i) {
		case "staff", "principal", "distinguished":
			if roleWithin(i, 2) && !notTitleBefore[prev] {
				return levelStaff
			}
		case "architect":
			if architectBefore[prev] {
				return levelStaff
			}
		case "senior", "sr":
			if notTitleBefore[prev] || notTitleAfter[next] {
				continue
			}
			if next == "staff" || next == "principal" {
				return levelStaff
			}
			return levelSenior
		case "lead":
			if prev == "tech" || prev == "technical" || prev == "team" || (roleWithin(i, 2) && !verbsBeforeLead[prev]) {
				return levelSenior
			}
		case "junior", "jr":
			if notTitleBefore[prev] || notTitleAfter[next] {
				continue
			}
			return levelJunior
		case "intern", "interns", "internship", "internships", "apprentice", "apprenticeship":
			if !notTitleBefore[prev] {
				return levelJunior
			}
		case "new", "recent":
			if n := w(i + 1); n == "grad" || n == "grads" || n == "graduate" || n == "graduates" {
				return levelJunior
			}
		case "entry":
			if next == "level" {
				return levelJunior
			}
		case "early":
			if next == "career" {
				return levelJunior
			}
		case "mid":
			if next == "senior" {
				return levelSenior
			}
			if next == "level" || next == "career" || roleWords[next] {
				return levelMid
			}
		case "midlevel", "intermediate":
			return levelMid
		case "ii", "iii", "iv":
			if prev == "engineer" || prev == "developer" || prev == "sde" || prev == "swe" {
				if w(i) == "ii" {
					return levelMid
				}
				if w(i) == "iii" {
					return levelSenior
				}
				return levelStaff
			}
		}
	}
	return seniorityFromYears(toks)
}

// seniorityFromYears reads "8+ years of experience" and the like.
func seniorityFromYears(toks []token) string {
	for i, t := range toks {
		if t.lower != "years" && t.lower != "year" && t.lower != "yrs" {
			continue
		}
		experience := false
		for k := i + 1; k < len(toks) && k <= i+6; k++ {
			if toks[k].lower == "experience" || toks[k].lower == "exp" {
				experience = true
				break
			}
		}
		if !experience {
			continue
		}
		// The number is the word before, or the first of a range "5-7 years".
		n := -1
		for k := i - 1; k >= 0 && k >= i-2; k-- {
			if v, ok := smallNumber(toks[k].lower); ok {
				n = v
			}
		}
		switch {
		case n < 0:
			continue
		case n >= 10:
			return levelStaff
		case n >= 5:
			return levelSenior
		case n >= 2:
			return levelMid
		default:
			return levelJunior
		}
	}
	return ""
}

func smallNumber(s string) (int, bool) {
	words := map[string]int{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15}
	if v, ok := words[s]; ok {
		return v, true
	}
	if len(s) == 0 || len(s) > 2 {
		return 0, false
	}
	v := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
		v = v*10 + int(r-'0')
	}
	return v, true
}

// Where a term stands in a question, and how much that counts.
const (
	inPrompt = 1 // the prompt mentions it
	inTopic  = 2 // the question's topic (or kind) is about it
	inTags   = 3 // the question is tagged with it

	relatedShare = 0.3 // a question about a related term ("messaging" for Kafka) counts this share
	baseFit      = 0.5 // what a question that fits no term is worth before its difficulty
	maxPerTopic  = 3
)

// difficultyFit says how well each difficulty suits a level.
var difficultyFit = map[string]map[string]float64{
	levelStaff:  {Hard: 1, Medium: 0.5, Easy: 0.1},
	levelSenior: {Hard: 1, Medium: 0.6, Easy: 0.15},
	levelMid:    {Medium: 1, Easy: 0.5, Hard: 0.5},
	levelJunior: {Easy: 1, Medium: 0.5, Hard: 0.1},
	"":          {Medium: 1, Easy: 0.8, Hard: 0.8},
}

// profileTerms is what a profile mentions, counted per source.
type profileTerms struct {
	jd, resume map[string]int
	level      string
}

func analyzeProfile(p Profile) profileTerms {
	level := Seniority(p.JobDescription)
	if level == "" {
		level = Seniority(p.Resume)
	}
	return profileTerms{jd: countTerms(p.JobDescription), resume: countTerms(p.Resume), level: level}
}

// mentionWeight grows with repeated mentions, slowly: 1, 1.5, 2.
func mentionWeight(n int) float64 {
	switch {
	case n <= 0:
		return 0
	case n == 1:
		return 1
	case n == 2:
		return 1.5
	}
	return 2
}

// weight is how much the profile cares about term id: the job description counts twice.
func (pt profileTerms) weight(id string) float64 {
	w := 2*mentionWeight(pt.jd[id]) + mentionWeight(pt.resume[id])
	if t := vocab.terms[id]; t != nil && t.weight > 0 {
		w *= t.weight
	}
	return w
}

// questionTerms maps the terms of a question to where they stand (inTags, inTopic, inPrompt).
func questionTerms(q *Question) map[string]int {
	out := map[string]int{}
	put := func(id string, at int) {
		if out[id] < at {
			out[id] = at
		}
	}
	for id := range countTerms(q.Prompt) {
		put(id, inPrompt)
	}
	topic, ok := topicTerms[q.Topic]
	if !ok {
		topic = ExtractTerms(strings.ReplaceAll(q.Topic, "-", " "))
	}
	for _, id := range topic {
		put(id, inTopic)
	}
	if q.Kind == "design" {
		put("system-design", inTopic)
	}
	for _, tag := range q.Tags {
		tag = strings.ToLower(tag)
		if vocab.terms[tag] != nil {
			put(tag, inTags)
		}
		for id := range countTerms(strings.ReplaceAll(tag, "-", " ")) {
			put(id, inTags)
		}
	}
	return out
}

// contribution is one profile term's share of a question's fit.
type contribution struct {
	term  string // the profile's term
	via   string // the question's term it matched: term itself, or a related one
	score float64
}

// fit scores how well q suits the profile, with the contributions sorted largest first.
func (pt profileTerms) fit(qt map[string]int) (float64, []contribution) {
	var cs []contribution
	consider := func(src map[string]int) {
		for id := range src {
			if _, done := findContribution(cs, id); done {
				continue
			}
			w := pt.weight(id)
			best := contribution{term: id}
			if at := qt[id]; at > 0 {
				best.via, best.score = id, w*float64(at)
			}
			if t := vocab.terms[id]; t != nil {
				for _, r := range t.related {
					if s := relatedShare * w * float64(qt[r]); s > best.score {
						best.via, best.score = r, s
					}
				}
			}
			if best.score > 0 {
				cs = append(cs, best)
			}
		}
	}
	consider(pt.jd)
	consider(pt.resume)
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].score != cs[j].score {
			return cs[i].score > cs[j].score
		}
		return cs[i].term < cs[j].term
	})
	total := 0.0
	for _, c := range cs {
		total += c.score
	}
	return total, cs
}

func findContribution(cs []contribution, id string) (int, bool) {
	for i, c := range cs {
		if c.term == id {
			return i, true
		}
	}
	return -1, false
}

// RankForProfile returns up to n bank questions ordered by fit to the profile: questions whose
// tags, topic and prompt mention the technologies and concepts of the job description (weighted
// twice) and the resume score higher; difficulty follows Seniority (staff/senior: hard then
// medium; mid: medium; junior: easy then medium); no more than 3 questions of one topic;
// behavioral questions only if nothing else fits; deterministic for the same inputs. It returns
// nil for an empty profile.
func RankForProfile(bank *Bank, p Profile, n int) []*Question {
	if bank == nil || n <= 0 || p.empty() {
		return nil
	}
	pt := analyzeProfile(p)
	diff := difficultyFit[pt.level]
	type ranked struct {
		q          *Question
		behavioral bool
		score      float64
		tie        uint64
	}
	var all []ranked
	for _, q := range bank.Questions() {
		f, _ := pt.fit(questionTerms(q))
		d, ok := diff[q.Difficulty]
		if !ok {
			d = 0.5
		}
		h := fnv.New64a()
		h.Write([]byte(p.Resume + "\x00" + p.JobDescription + "\x00" + q.Ref()))
		all = append(all, ranked{q: q, behavioral: q.Kind == "behavioral", score: (f + baseFit) * d, tie: h.Sum64()})
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.behavioral != b.behavioral {
			return !a.behavioral
		}
		if a.score != b.score {
			return a.score > b.score
		}
		if a.tie != b.tie {
			return a.tie < b.tie
		}
		return a.q.Ref() < b.q.Ref()
	})
	perTopic := map[string]int{}
	var out []*Question
	for _, r := range all {
		if len(out) == n {
			break
		}
		if perTopic[r.q.Topic] >= maxPerTopic {
			continue
		}
		perTopic[r.q.Topic]++
		out = append(out, r.q)
	}
	return out
}

// TailorReason says in one sentence why q was chosen for p ("Your job description mentions Kafka
// and exactly-once delivery."), for showing to the person.
func TailorReason(q *Question, p Profile) string {
	if q == nil || p.empty() {
		return ""
	}
	pt := analyzeProfile(p)
	_, cs := pt.fit(questionTerms(q))
	var jd, resume, related []string
	var relatedTo []string
	for _, c := range cs {
		name := termName(c.term)
		switch {
		case c.via != c.term:
			if len(related) < 2 && !hasString(related, termName(c.via)) {
				related = append(related, termName(c.via))
				relatedTo = append(relatedTo, name)
			}
		case pt.jd[c.term] > 0:
			if len(jd) < 3 {
				jd = append(jd, name)
			}
		default:
			if len(resume) < 3 {
				resume = append(resume, name)
			}
		}
	}
	switch {
	case len(jd) > 0 && len(resume) > 0:
		return "Your job description mentions " + joinAnd(jd) + ", and your resume mentions " + joinAnd(resume) + "."
	case len(jd) > 0:
		return "Your job description mentions " + joinAnd(jd) + "."
	case len(resume) > 0:
		return "Your resume mentions " + joinAnd(resume) + "."
	case len(related) > 0:
		source := "profile"
		if p.JobDescription != "" && pt.jd[cs[0].term] > 0 {
			source = "job description"
		} else if pt.resume[cs[0].term] > 0 {
			source = "resume"
		}
		return "It covers " + joinAnd(related) + ", which goes with " + joinAnd(relatedTo) + " in your " + source + "."
	}
	what := strings.ReplaceAll(q.Topic, "-", " ") + " question"
	article := "a "
	if q.Difficulty == Easy {
		article = "an "
	}
	if pt.level != "" {
		return "It is " + article + q.Difficulty + " " + what + ", suited to the " + pt.level + " level your profile points to."
	}
	return "It is " + article + q.Difficulty + " " + what + "; your profile names no technology that the bank covers more closely."
}

func termName(id string) string {
	if t := vocab.terms[id]; t != nil {
		return t.name
	}
	return id
}

func hasString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// joinAnd joins names as "A", "A and B", or "A, B and C".
func joinAnd(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
