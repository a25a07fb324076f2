package schema

import "time"

// Tables of xentop batch output (xentop -b, with -v, -n, -x sub-lines).
//
// Every row carries host, frame and time. A frame is one screen of xentop
// output: one sample of every domain. frame is its 0-based index in the input
// file and time the instant it was taken (the timestamp prefix of the frame's
// header line, or --start + frame·--interval). Sub-line rows (vcpu, net, vbd)
// join their domain row on (host, time, frame, name).
//
// Counters are unsigned 64-bit as xentop prints them: they can wrap, so take
// differences modulo 2^64.

// XentopDomain is one domain row of one xentop frame.
type XentopDomain struct {
	Host  string    `parquet:"host,dict,zstd" doc:"host the trace was collected on (--host or the file name)"`
	Frame int64     `parquet:"frame,delta,zstd" doc:"0-based index of the xentop frame in the input file"`
	Time  time.Time `parquet:"time,timestamp(microsecond),delta,zstd" doc:"when the frame was sampled (timestamp prefix of its header line, or --start + frame·--interval)"`
	Name  string    `parquet:"name,dict,zstd" doc:"domain name as printed (cut to 10 characters unless xentop ran with -f)"`
	// Domain and Role split the migration suffixes off Name.
	Domain string `parquet:"domain,dict,zstd" doc:"base domain name: name without a --incoming / --migratedaway suffix"`
	Role   string `parquet:"role,dict,zstd" doc:"migration role from the name suffix: none, incoming (--incoming, the receiving side) or migratedaway (--migratedaway, the sender)"`
	State  string `parquet:"state,dict,zstd" doc:"STATE flags, 6 characters in the order d s b c p r (dying, shutdown, blocked, crashed, paused, running), '-' when unset; e.g. --b--- is blocked, ----p- paused"`

	CPUSec    uint64   `parquet:"cpu_sec,zstd" doc:"CPU(sec): CPU time used by the domain since it started" unit:"s"`
	CPUPct    float64  `parquet:"cpu_pct,dict,zstd" doc:"CPU(%): CPU use since the previous frame, 100 per fully used physical CPU (0.0 in the first frame)" unit:"%"`
	MemK      uint64   `parquet:"mem_k,delta,zstd" doc:"MEM(k): current memory" unit:"KiB"`
	MemPct    float64  `parquet:"mem_pct,dict,zstd" doc:"MEM(%): current memory as a share of host memory" unit:"%"`
	MaxMemK   *uint64  `parquet:"maxmem_k,optional,delta,zstd" doc:"MAXMEM(k): memory limit; null when xentop prints 'no limit'" unit:"KiB"`
	MaxMemPct *float64 `parquet:"maxmem_pct,optional,dict,zstd" doc:"MAXMEM(%): memory limit as a share of host memory; null when xentop prints 'n/a'" unit:"%"`
	VCPUs     uint32   `parquet:"vcpus,delta,zstd" doc:"VCPUS: number of virtual CPUs"`
	Nets      uint32   `parquet:"nets,delta,zstd" doc:"NETS: number of virtual network interfaces"`
	NetTxK    uint64   `parquet:"nettx_k,zstd" doc:"NETTX(k): bytes transmitted over all interfaces / 1024" unit:"KiB"`
	NetRxK    uint64   `parquet:"netrx_k,zstd" doc:"NETRX(k): bytes received over all interfaces / 1024" unit:"KiB"`
	VBDs      uint32   `parquet:"vbds,delta,zstd" doc:"VBDS: number of virtual block devices"`
	VBDOO     *uint64  `parquet:"vbd_oo,optional,zstd" doc:"VBD_OO: requests that found the backend out of resources, all VBDs; null when printed '-' or the header lacks it" unit:"requests"`
	VBDRd     *uint64  `parquet:"vbd_rd,optional,zstd" doc:"VBD_RD: read requests, all VBDs; null when printed '-' or the header lacks it" unit:"requests"`
	VBDWr     *uint64  `parquet:"vbd_wr,optional,zstd" doc:"VBD_WR: write requests, all VBDs; null when printed '-' or the header lacks it" unit:"requests"`
	VBDRsect  *uint64  `parquet:"vbd_rsect,optional,zstd" doc:"VBD_RSECT: sectors read, all VBDs; null before Xen 4.0 (no such column) or when printed '-'" unit:"sectors (512 B)"`
	VBDWsect  *uint64  `parquet:"vbd_wsect,optional,zstd" doc:"VBD_WSECT: sectors written, all VBDs; null before Xen 4.0 (no such column) or when printed '-'" unit:"sectors (512 B)"`
	SSID      uint32   `parquet:"ssid,delta,zstd" doc:"SSID: XSM/Flask security label id (0 without XSM)"`
}

func (*XentopDomain) TableName() string { return "xentop_domain" }

// Partition places the row under host=<host>/date=<day of time>.
func (r *XentopDomain) Partition() (string, time.Time) { return r.Host, r.Time }

// XentopVCPU is one vCPU entry of a VCPUs(sec) line (xentop -v).
type XentopVCPU struct {
	Host   string    `parquet:"host,dict,zstd" doc:"host the trace was collected on"`
	Frame  int64     `parquet:"frame,delta,zstd" doc:"0-based index of the xentop frame in the input file"`
	Time   time.Time `parquet:"time,timestamp(microsecond),delta,zstd" doc:"when the frame was sampled"`
	Name   string    `parquet:"name,dict,zstd" doc:"domain name as printed on the domain row this line follows"`
	VCPU   uint32    `parquet:"vcpu,delta,zstd" doc:"vCPU index (only online vCPUs are printed)"`
	CPUSec uint64    `parquet:"cpu_sec,zstd" doc:"CPU time used by this vCPU" unit:"s"`
}

func (*XentopVCPU) TableName() string { return "xentop_vcpu" }

// Partition places the row under host=<host>/date=<day of time>.
func (r *XentopVCPU) Partition() (string, time.Time) { return r.Host, r.Time }

// XentopNet is one NetN line (xentop -n): one virtual interface's counters.
type XentopNet struct {
	Host    string    `parquet:"host,dict,zstd" doc:"host the trace was collected on"`
	Frame   int64     `parquet:"frame,delta,zstd" doc:"0-based index of the xentop frame in the input file"`
	Time    time.Time `parquet:"time,timestamp(microsecond),delta,zstd" doc:"when the frame was sampled"`
	Name    string    `parquet:"name,dict,zstd" doc:"domain name as printed on the domain row this line follows"`
	Net     uint32    `parquet:"net,delta,zstd" doc:"interface index N of NetN"`
	RxBytes uint64    `parquet:"rx_bytes,zstd" doc:"bytes received" unit:"B"`
	RxPkts  uint64    `parquet:"rx_pkts,zstd" doc:"packets received" unit:"packets"`
	RxErr   uint64    `parquet:"rx_err,zstd" doc:"receive errors" unit:"packets"`
	RxDrop  uint64    `parquet:"rx_drop,zstd" doc:"received packets dropped" unit:"packets"`
	TxBytes uint64    `parquet:"tx_bytes,zstd" doc:"bytes transmitted" unit:"B"`
	TxPkts  uint64    `parquet:"tx_pkts,zstd" doc:"packets transmitted" unit:"packets"`
	TxErr   uint64    `parquet:"tx_err,zstd" doc:"transmit errors" unit:"packets"`
	TxDrop  uint64    `parquet:"tx_drop,zstd" doc:"transmitted packets dropped" unit:"packets"`
}

func (*XentopNet) TableName() string { return "xentop_net" }

// Partition places the row under host=<host>/date=<day of time>.
func (r *XentopNet) Partition() (string, time.Time) { return r.Host, r.Time }

// XentopVBD is one VBD line (xentop -x): one virtual block device's counters.
type XentopVBD struct {
	Host  string    `parquet:"host,dict,zstd" doc:"host the trace was collected on"`
	Frame int64     `parquet:"frame,delta,zstd" doc:"0-based index of the xentop frame in the input file"`
	Time  time.Time `parquet:"time,timestamp(microsecond),delta,zstd" doc:"when the frame was sampled"`
	Name  string    `parquet:"name,dict,zstd" doc:"domain name as printed on the domain row this line follows"`
	Kind  string    `parquet:"kind,dict,zstd" doc:"backend kind as printed: Unidentified, BlkBack, BlkTap, Tapdisk3, ...; empty when the xentop version prints none"`
	Dev   int64     `parquet:"dev,dict,zstd" doc:"device number as printed (Linux: major·256 + minor, e.g. 51712 for xvda)"`
	Major *uint32   `parquet:"major,optional,delta,zstd" doc:"device major number (printed in hex); null when not printed (non-Linux dom0)"`
	Minor *uint32   `parquet:"minor,optional,delta,zstd" doc:"device minor number (printed in hex); null when not printed (non-Linux dom0)"`
	OO    *uint64   `parquet:"oo,optional,zstd" doc:"requests that found the backend out of resources; null when printed '-'" unit:"requests"`
	Rd    *uint64   `parquet:"rd,optional,zstd" doc:"read requests; null when printed '-'" unit:"requests"`
	Wr    *uint64   `parquet:"wr,optional,zstd" doc:"write requests; null when printed '-'" unit:"requests"`
	Rsect *uint64   `parquet:"rsect,optional,zstd" doc:"sectors read; null when printed '-' or not printed (old xentop)" unit:"sectors (512 B)"`
	Wsect *uint64   `parquet:"wsect,optional,zstd" doc:"sectors written; null when printed '-' or not printed (old xentop)" unit:"sectors (512 B)"`
}

func (*XentopVBD) TableName() string { return "xentop_vbd" }

// Partition places the row under host=<host>/date=<day of time>.
func (r *XentopVBD) Partition() (string, time.Time) { return r.Host, r.Time }

var (
	_ = Register[XentopDomain]("Domain rows of xentop batch output (xentop -b): one row per domain per frame, every header column.")
	_ = Register[XentopVCPU]("Per-vCPU CPU time from xentop -v VCPUs(sec) lines (continuation lines included): one row per online vCPU per frame.")
	_ = Register[XentopNet]("Per-interface network counters from xentop -n NetN lines: one row per interface per frame.")
	_ = Register[XentopVBD]("Per-device block I/O counters from xentop -x VBD lines: one row per virtual block device per frame.")
)
