package schema

import "time"

// Tables of sysstat reports: sar text, sadf -d (CSV) and sadf -j (JSON).
//
// One table per activity the analyses use (cpu, memory, paging, swapping,
// net-dev, net-edev, disk, queue); every other activity, and every column of
// a known activity that the code does not know, goes to sar_other as
// (activity, device, metric, value) rows: nothing sar prints is dropped.
//
// Every row carries host (the sysstat node name: the banner of sar text, the
// hostname column of sadf -d, "nodename" of sadf -j) and time, the end of the
// sampling interval in UTC. sar text and sadf -dT print local times: they are
// read in the zone given by --tz (UTC when not given).
//
// Metric columns are nullable: null means the file did not hold that column
// (an older sysstat, or an option such as -u versus -u ALL that prints a
// different set). Column names follow the sar header names: "kbmemfree" is
// sar's kbmemfree, "rxkb_s" is rxkB/s, a trailing "_pct" is a leading "%".
// Sizes printed in "kB" by sar are KiB (1024 bytes).

// SarCPU is one CPU utilisation row (sar -u, -u ALL, -P; sadf "cpu-load").
//
// sar prints two column sets: -u gives %user and %system, -u ALL gives %usr
// and %sys plus %irq %soft %guest %gnice. They are not the same quantity:
// %user includes guest time (%user = %usr + %guest) and %system includes
// interrupt time (%system = %sys + %irq + %soft), so both sets are kept in
// their own columns and the other set is null.
type SarCPU struct {
	Host   string    `parquet:"host,dict,zstd" doc:"host name as sysstat reports it"`
	Time   time.Time `parquet:"time,timestamp(microsecond),delta,zstd" doc:"end of the sampling interval"`
	CPU    int32     `parquet:"cpu,dict,zstd" doc:"CPU number; -1 for the all-CPU row (sar prints 'all', sadf -d prints -1, sadf -p prints all and cpuN)"`
	User   *float64  `parquet:"user_pct,optional,dict,zstd" doc:"%user: time at user level, including guest time (sar -u)" unit:"%"`
	Nice   *float64  `parquet:"nice_pct,optional,dict,zstd" doc:"%nice: time at user level with nice priority" unit:"%"`
	System *float64  `parquet:"system_pct,optional,dict,zstd" doc:"%system: time at system level, including hard and soft interrupts (sar -u)" unit:"%"`
	IOWait *float64  `parquet:"iowait_pct,optional,dict,zstd" doc:"%iowait: idle time with outstanding disk I/O" unit:"%"`
	Steal  *float64  `parquet:"steal_pct,optional,dict,zstd" doc:"%steal: involuntary wait while the hypervisor served another virtual processor" unit:"%"`
	Idle   *float64  `parquet:"idle_pct,optional,dict,zstd" doc:"%idle: idle time without outstanding disk I/O" unit:"%"`
	Usr    *float64  `parquet:"usr_pct,optional,dict,zstd" doc:"%usr: time at user level, excluding guest time (sar -u ALL)" unit:"%"`
	Sys    *float64  `parquet:"sys_pct,optional,dict,zstd" doc:"%sys: time at system level, excluding interrupts (sar -u ALL)" unit:"%"`
	IRQ    *float64  `parquet:"irq_pct,optional,dict,zstd" doc:"%irq: time servicing hardware interrupts (sar -u ALL)" unit:"%"`
	Soft   *float64  `parquet:"soft_pct,optional,dict,zstd" doc:"%soft: time servicing software interrupts (sar -u ALL)" unit:"%"`
	Guest  *float64  `parquet:"guest_pct,optional,dict,zstd" doc:"%guest: time running virtual processors (sar -u ALL)" unit:"%"`
	GNice  *float64  `parquet:"gnice_pct,optional,dict,zstd" doc:"%gnice: time running niced guests (sar -u ALL)" unit:"%"`
}

func (*SarCPU) TableName() string { return "sar_cpu" }

// Partition places the row under host=<host>/date=<day of time>.
func (r *SarCPU) Partition() (string, time.Time) { return r.Host, r.Time }

// SarMemory is one memory utilisation row (sar -r, -r ALL; sadf "memory").
// Swap space (sar -S) is a separate sar block and goes to sar_other as
// activity "swap-space".
type SarMemory struct {
	Host      string    `parquet:"host,dict,zstd" doc:"host name as sysstat reports it"`
	Time      time.Time `parquet:"time,timestamp(microsecond),delta,zstd" doc:"end of the sampling interval"`
	KBMemFree *int64    `parquet:"kbmemfree,optional,zstd" doc:"kbmemfree: free memory" unit:"KiB"`
	KBAvail   *int64    `parquet:"kbavail,optional,zstd" doc:"kbavail: memory available without swapping (sysstat >= 11.5.3)" unit:"KiB"`
	KBMemUsed *int64    `parquet:"kbmemused,optional,zstd" doc:"kbmemused: used memory (total - free - buffers - cache - slab since sysstat 11.6)" unit:"KiB"`
	MemUsed   *float64  `parquet:"memused_pct,optional,dict,zstd" doc:"%memused: used memory as a share of total memory" unit:"%"`
	KBBuffers *int64    `parquet:"kbbuffers,optional,zstd" doc:"kbbuffers: kernel buffers" unit:"KiB"`
	KBCached  *int64    `parquet:"kbcached,optional,zstd" doc:"kbcached: page cache" unit:"KiB"`
	KBCommit  *int64    `parquet:"kbcommit,optional,zstd" doc:"kbcommit: memory needed for the current workload (committed address space)" unit:"KiB"`
	Commit    *float64  `parquet:"commit_pct,optional,dict,zstd" doc:"%commit: kbcommit as a share of RAM + swap (may exceed 100)" unit:"%"`
	KBActive  *int64    `parquet:"kbactive,optional,zstd" doc:"kbactive: recently used memory" unit:"KiB"`
	KBInact   *int64    `parquet:"kbinact,optional,zstd" doc:"kbinact: memory not recently used, first to reclaim" unit:"KiB"`
	KBDirty   *int64    `parquet:"kbdirty,optional,zstd" doc:"kbdirty: memory waiting to be written back to disk" unit:"KiB"`
	KBAnonPg  *int64    `parquet:"kbanonpg,optional,zstd" doc:"kbanonpg: anonymous pages mapped into user page tables (-r ALL)" unit:"KiB"`
	KBSlab    *int64    `parquet:"kbslab,optional,zstd" doc:"kbslab: kernel slab memory (-r ALL)" unit:"KiB"`
	KBKStack  *int64    `parquet:"kbkstack,optional,zstd" doc:"kbkstack: kernel stacks (-r ALL)" unit:"KiB"`
	KBPgTbl   *int64    `parquet:"kbpgtbl,optional,zstd" doc:"kbpgtbl: page tables (-r ALL)" unit:"KiB"`
	KBVMUsed  *int64    `parquet:"kbvmused,optional,zstd" doc:"kbvmused: vmalloc area in use (-r ALL)" unit:"KiB"`
}

func (*SarMemory) TableName() string { return "sar_memory" }

// Partition places the row under host=<host>/date=<day of time>.
func (r *SarMemory) Partition() (string, time.Time) { return r.Host, r.Time }

// SarPaging is one paging row (sar -B; sadf "paging").
type SarPaging struct {
	Host     string    `parquet:"host,dict,zstd" doc:"host name as sysstat reports it"`
	Time     time.Time `parquet:"time,timestamp(microsecond),delta,zstd" doc:"end of the sampling interval"`
	PgPgIn   *float64  `parquet:"pgpgin_s,optional,dict,zstd" doc:"pgpgin/s: data paged in from disk" unit:"KiB/s"`
	PgPgOut  *float64  `parquet:"pgpgout_s,optional,dict,zstd" doc:"pgpgout/s: data paged out to disk" unit:"KiB/s"`
	Fault    *float64  `parquet:"fault_s,optional,dict,zstd" doc:"fault/s: page faults, major and minor" unit:"1/s"`
	MajFlt   *float64  `parquet:"majflt_s,optional,dict,zstd" doc:"majflt/s: major faults (page loaded from disk)" unit:"1/s"`
	PgFree   *float64  `parquet:"pgfree_s,optional,dict,zstd" doc:"pgfree/s: pages put on the free list" unit:"pages/s"`
	PgScanK  *float64  `parquet:"pgscank_s,optional,dict,zstd" doc:"pgscank/s: pages scanned by kswapd" unit:"pages/s"`
	PgScanD  *float64  `parquet:"pgscand_s,optional,dict,zstd" doc:"pgscand/s: pages scanned directly" unit:"pages/s"`
	PgSteal  *float64  `parquet:"pgsteal_s,optional,dict,zstd" doc:"pgsteal/s: pages reclaimed from cache" unit:"pages/s"`
	VMEffPct *float64  `parquet:"vmeff_pct,optional,dict,zstd" doc:"%vmeff: pgsteal / pgscan, page reclaim efficiency (0 when nothing was scanned)" unit:"%"`
}

func (*SarPaging) TableName() string { return "sar_paging" }

// Partition places the row under host=<host>/date=<day of time>.
func (r *SarPaging) Partition() (string, time.Time) { return r.Host, r.Time }

// SarSwapping is one swapping row (sar -W; sadf "swap-pages").
type SarSwapping struct {
	Host    string    `parquet:"host,dict,zstd" doc:"host name as sysstat reports it"`
	Time    time.Time `parquet:"time,timestamp(microsecond),delta,zstd" doc:"end of the sampling interval"`
	PSwpIn  *float64  `parquet:"pswpin_s,optional,dict,zstd" doc:"pswpin/s: swap pages brought in" unit:"pages/s"`
	PSwpOut *float64  `parquet:"pswpout_s,optional,dict,zstd" doc:"pswpout/s: swap pages written out" unit:"pages/s"`
}

func (*SarSwapping) TableName() string { return "sar_swapping" }

// Partition places the row under host=<host>/date=<day of time>.
func (r *SarSwapping) Partition() (string, time.Time) { return r.Host, r.Time }

// SarNetDev is one network interface row (sar -n DEV; sadf "network"."net-dev").
type SarNetDev struct {
	Host      string    `parquet:"host,dict,zstd" doc:"host name as sysstat reports it"`
	Time      time.Time `parquet:"time,timestamp(microsecond),delta,zstd" doc:"end of the sampling interval"`
	Iface     string    `parquet:"iface,dict,zstd" doc:"IFACE: network interface name"`
	RxPck     *float64  `parquet:"rxpck_s,optional,dict,zstd" doc:"rxpck/s: packets received" unit:"packets/s"`
	TxPck     *float64  `parquet:"txpck_s,optional,dict,zstd" doc:"txpck/s: packets transmitted" unit:"packets/s"`
	RxKB      *float64  `parquet:"rxkb_s,optional,dict,zstd" doc:"rxkB/s: data received" unit:"KiB/s"`
	TxKB      *float64  `parquet:"txkb_s,optional,dict,zstd" doc:"txkB/s: data transmitted" unit:"KiB/s"`
	RxCmp     *float64  `parquet:"rxcmp_s,optional,dict,zstd" doc:"rxcmp/s: compressed packets received" unit:"packets/s"`
	TxCmp     *float64  `parquet:"txcmp_s,optional,dict,zstd" doc:"txcmp/s: compressed packets transmitted" unit:"packets/s"`
	RxMcst    *float64  `parquet:"rxmcst_s,optional,dict,zstd" doc:"rxmcst/s: multicast packets received" unit:"packets/s"`
	IfUtilPct *float64  `parquet:"ifutil_pct,optional,dict,zstd" doc:"%ifutil: utilisation of the interface's link speed (0 when the speed is unknown)" unit:"%"`
}

func (*SarNetDev) TableName() string { return "sar_net_dev" }

// Partition places the row under host=<host>/date=<day of time>.
func (r *SarNetDev) Partition() (string, time.Time) { return r.Host, r.Time }

// SarNetEDev is one network interface error row (sar -n EDEV; sadf "network"."net-edev").
type SarNetEDev struct {
	Host   string    `parquet:"host,dict,zstd" doc:"host name as sysstat reports it"`
	Time   time.Time `parquet:"time,timestamp(microsecond),delta,zstd" doc:"end of the sampling interval"`
	Iface  string    `parquet:"iface,dict,zstd" doc:"IFACE: network interface name"`
	RxErr  *float64  `parquet:"rxerr_s,optional,dict,zstd" doc:"rxerr/s: bad packets received" unit:"packets/s"`
	TxErr  *float64  `parquet:"txerr_s,optional,dict,zstd" doc:"txerr/s: errors while transmitting" unit:"1/s"`
	Coll   *float64  `parquet:"coll_s,optional,dict,zstd" doc:"coll/s: collisions while transmitting" unit:"1/s"`
	RxDrop *float64  `parquet:"rxdrop_s,optional,dict,zstd" doc:"rxdrop/s: received packets dropped for lack of buffer space" unit:"packets/s"`
	TxDrop *float64  `parquet:"txdrop_s,optional,dict,zstd" doc:"txdrop/s: transmitted packets dropped for lack of buffer space" unit:"packets/s"`
	TxCarr *float64  `parquet:"txcarr_s,optional,dict,zstd" doc:"txcarr/s: carrier errors while transmitting" unit:"1/s"`
	RxFram *float64  `parquet:"rxfram_s,optional,dict,zstd" doc:"rxfram/s: frame alignment errors on received packets" unit:"1/s"`
	RxFIFO *float64  `parquet:"rxfifo_s,optional,dict,zstd" doc:"rxfifo/s: FIFO overrun errors on received packets" unit:"1/s"`
	TxFIFO *float64  `parquet:"txfifo_s,optional,dict,zstd" doc:"txfifo/s: FIFO overrun errors on transmitted packets" unit:"1/s"`
}

func (*SarNetEDev) TableName() string { return "sar_net_edev" }

// Partition places the row under host=<host>/date=<day of time>.
func (r *SarNetEDev) Partition() (string, time.Time) { return r.Host, r.Time }

// SarDisk is one block device row (sar -d; sadf "disk").
//
// sysstat 11.6 moved from sectors to kilobytes (rd_sec/s → rkB/s,
// avgrq-sz in sectors → areq-sz in KiB) and renamed avgqu-sz to aqu-sz: the
// sector columns are kept in their own columns, avgqu-sz goes to aqu_sz.
type SarDisk struct {
	Host    string    `parquet:"host,dict,zstd" doc:"host name as sysstat reports it"`
	Time    time.Time `parquet:"time,timestamp(microsecond),delta,zstd" doc:"end of the sampling interval"`
	Dev     string    `parquet:"dev,dict,zstd" doc:"DEV: block device name as printed (sdX, or devM-m without sar -p)"`
	TPS     *float64  `parquet:"tps,optional,dict,zstd" doc:"tps: transfers (I/O requests) issued to the device" unit:"1/s"`
	RKB     *float64  `parquet:"rkb_s,optional,dict,zstd" doc:"rkB/s: data read" unit:"KiB/s"`
	WKB     *float64  `parquet:"wkb_s,optional,dict,zstd" doc:"wkB/s: data written" unit:"KiB/s"`
	DKB     *float64  `parquet:"dkb_s,optional,dict,zstd" doc:"dkB/s: data discarded" unit:"KiB/s"`
	AReqSz  *float64  `parquet:"areq_sz,optional,dict,zstd" doc:"areq-sz: average request size" unit:"KiB"`
	AquSz   *float64  `parquet:"aqu_sz,optional,dict,zstd" doc:"aqu-sz (avgqu-sz before 11.6): average queue length" unit:"requests"`
	Await   *float64  `parquet:"await_ms,optional,dict,zstd" doc:"await: average time a request spent queued and served" unit:"ms"`
	UtilPct *float64  `parquet:"util_pct,optional,dict,zstd" doc:"%util: share of time the device was busy" unit:"%"`
	RdSec   *float64  `parquet:"rd_sec_s,optional,dict,zstd" doc:"rd_sec/s: sectors read (before sysstat 11.6; sadf -j prints both)" unit:"sectors/s (512 B)"`
	WrSec   *float64  `parquet:"wr_sec_s,optional,dict,zstd" doc:"wr_sec/s: sectors written (before sysstat 11.6; sadf -j prints both)" unit:"sectors/s (512 B)"`
	DcSec   *float64  `parquet:"dc_sec_s,optional,dict,zstd" doc:"dc_sec: sectors discarded (sadf -j)" unit:"sectors/s (512 B)"`
	AvgRqSz *float64  `parquet:"avgrq_sz,optional,dict,zstd" doc:"avgrq-sz: average request size (before sysstat 11.6; sadf -j prints both)" unit:"sectors (512 B)"`
	SvctmMs *float64  `parquet:"svctm_ms,optional,dict,zstd" doc:"svctm: average service time (removed in sysstat 12)" unit:"ms"`
}

func (*SarDisk) TableName() string { return "sar_disk" }

// Partition places the row under host=<host>/date=<day of time>.
func (r *SarDisk) Partition() (string, time.Time) { return r.Host, r.Time }

// SarQueue is one run queue and load average row (sar -q; sadf "queue").
type SarQueue struct {
	Host    string    `parquet:"host,dict,zstd" doc:"host name as sysstat reports it"`
	Time    time.Time `parquet:"time,timestamp(microsecond),delta,zstd" doc:"end of the sampling interval"`
	RunqSz  *int64    `parquet:"runq_sz,optional,zstd" doc:"runq-sz: tasks running or waiting for a CPU" unit:"tasks"`
	PlistSz *int64    `parquet:"plist_sz,optional,zstd" doc:"plist-sz: tasks in the task list" unit:"tasks"`
	LdAvg1  *float64  `parquet:"ldavg_1,optional,dict,zstd" doc:"ldavg-1: load average over the last minute"`
	LdAvg5  *float64  `parquet:"ldavg_5,optional,dict,zstd" doc:"ldavg-5: load average over the last 5 minutes"`
	LdAvg15 *float64  `parquet:"ldavg_15,optional,dict,zstd" doc:"ldavg-15: load average over the last 15 minutes"`
	Blocked *int64    `parquet:"blocked,optional,zstd" doc:"blocked: tasks blocked waiting for I/O (sysstat >= 10.1)" unit:"tasks"`
}

func (*SarQueue) TableName() string { return "sar_queue" }

// Partition places the row under host=<host>/date=<day of time>.
func (r *SarQueue) Partition() (string, time.Time) { return r.Host, r.Time }

// SarBattery is one battery row (sar -m BAT; sadf "power-management"."battery").
// Its status is text, so it cannot go to sar_other's numeric value column.
type SarBattery struct {
	Host      string    `parquet:"host,dict,zstd" doc:"host name as sysstat reports it"`
	Time      time.Time `parquet:"time,timestamp(microsecond),delta,zstd" doc:"end of the sampling interval"`
	Battery   int32     `parquet:"battery,dict,zstd" doc:"BAT: battery number (sadf -j number)"`
	CapPct    *float64  `parquet:"cap_pct,optional,dict,zstd" doc:"%cap: remaining capacity (sadf -j percent-capacity)" unit:"%"`
	CapPerMin *float64  `parquet:"cap_per_min,optional,dict,zstd" doc:"cap/min: capacity change per minute, negative when discharging (sadf -j variation)" unit:"%/min"`
	Status    string    `parquet:"status,dict,zstd" doc:"charging status as sadf prints it: Unknown, Charging, Discharging, NotCharging or Full; sar's glyphs are read as these words (? Unknown, ↗ Charging, ↘ Discharging, → NotCharging, ↑ Full: sysstat's expected.sar-dec and expected.sadf-d print the same batteries)"`
}

func (*SarBattery) TableName() string { return "sar_battery" }

// Partition places the row under host=<host>/date=<day of time>.
func (r *SarBattery) Partition() (string, time.Time) { return r.Host, r.Time }

// SarUSB is one plugged USB device (sar -m USB; sadf "power-management"."usb-devices").
// Manufacturer and product are text (empty when the device reports none,
// and may hold spaces), so they cannot go to sar_other.
type SarUSB struct {
	Host         string    `parquet:"host,dict,zstd" doc:"host name as sysstat reports it"`
	Time         time.Time `parquet:"time,timestamp(microsecond),delta,zstd" doc:"end of the sampling interval"`
	Bus          int32     `parquet:"bus,dict,zstd" doc:"BUS: root hub number the device is plugged into (sadf -j bus_number)"`
	IDVendor     string    `parquet:"idvendor,dict,zstd" doc:"idvendor: vendor ID, hexadecimal as printed (e.g. 8087)"`
	IDProduct    string    `parquet:"idprod,dict,zstd" doc:"idprod: product ID, hexadecimal as printed"`
	MaxPowerMA   *int64    `parquet:"maxpower_ma,optional,zstd" doc:"maxpower: maximum power the device draws" unit:"mA"`
	Manufacturer string    `parquet:"manufact,dict,zstd" doc:"manufact: manufacturer string, without trailing blanks; empty when the device reports none (sar text prints it in the 23 columns after maxpower)"`
	Product      string    `parquet:"product,dict,zstd" doc:"product: product string (may hold spaces), without trailing blanks; empty when the device reports none (sar text: the rest of the line after manufact's 23 columns and a blank)"`
}

func (*SarUSB) TableName() string { return "sar_usb" }

// Partition places the row under host=<host>/date=<day of time>.
func (r *SarUSB) Partition() (string, time.Time) { return r.Host, r.Time }

// SarOther is one value of an activity or column without a table of its own,
// in long form, so nothing sar prints is dropped.
type SarOther struct {
	Host     string    `parquet:"host,dict,zstd" doc:"host name as sysstat reports it"`
	Time     time.Time `parquet:"time,timestamp(microsecond),delta,zstd" doc:"end of the sampling interval"`
	Activity string    `parquet:"activity,dict,zstd" doc:"activity, named as sadf -j names it (cpu-load, memory, interrupts, io, swap-space, network.net-sock, psi.psi-cpu, ...); a column unknown to a known table carries that table's activity; an activity the code does not recognise is sar: + its first header column"`
	Device   string    `parquet:"device,dict,zstd" doc:"the row's label columns joined by a space (CPU, INTR, TTY, IFACE, FILESYSTEM, ...; 'all' for the all-CPU row); empty for single-row activities"`
	Metric   string    `parquet:"metric,dict,zstd" doc:"column as the source names it: the header name in sar text and sadf -d, which is sadf -p's field name (e.g. cswch/s, %scpu-10), the key in sadf -j (e.g. cswch, io-reads.rtps)"`
	Value    float64   `parquet:"value,dict,zstd" doc:"value as printed; its unit is the metric's (see sar(1))"`
}

func (*SarOther) TableName() string { return "sar_other" }

// Partition places the row under host=<host>/date=<day of time>.
func (r *SarOther) Partition() (string, time.Time) { return r.Host, r.Time }

// SarEvent is a sysstat special record: a restart (sadc started again,
// usually after a reboot: counters restart from zero) or a comment inserted
// with sadc -C / sar -C.
type SarEvent struct {
	Host string    `parquet:"host,dict,zstd" doc:"host name as sysstat reports it"`
	Time time.Time `parquet:"time,timestamp(microsecond),delta,zstd" doc:"when the restart or comment was recorded"`
	Kind string    `parquet:"kind,dict,zstd" doc:"restart or comment"`
	CPUs *int32    `parquet:"cpus,optional,zstd" doc:"number of CPUs at a restart; null for comments"`
	Text string    `parquet:"text,zstd" doc:"the comment text; empty for restarts"`
}

func (*SarEvent) TableName() string { return "sar_events" }

// Partition places the row under host=<host>/date=<day of time>.
func (r *SarEvent) Partition() (string, time.Time) { return r.Host, r.Time }

var (
	_ = Register[SarCPU]("CPU utilisation per CPU and interval (sar -u, -u ALL, -P; sadf cpu-load).")
	_ = Register[SarMemory]("Memory utilisation per interval (sar -r, -r ALL; sadf memory).")
	_ = Register[SarPaging]("Paging statistics per interval (sar -B; sadf paging).")
	_ = Register[SarSwapping]("Swapping statistics per interval (sar -W; sadf swap-pages).")
	_ = Register[SarNetDev]("Network interface traffic per interface and interval (sar -n DEV).")
	_ = Register[SarNetEDev]("Network interface errors per interface and interval (sar -n EDEV).")
	_ = Register[SarDisk]("Block device activity per device and interval (sar -d).")
	_ = Register[SarQueue]("Run queue length and load averages per interval (sar -q).")
	_ = Register[SarBattery]("Battery capacity and charging status per battery and interval (sar -m BAT).")
	_ = Register[SarUSB]("USB devices plugged in per interval (sar -m USB).")
	_ = Register[SarOther]("Every sar activity or column without a table of its own, one value per row (long form).")
	_ = Register[SarEvent]("sysstat restarts (LINUX RESTART) and comments (COM).")
)
