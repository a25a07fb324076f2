package schema

import "time"

// QMPMigrate is one poll of QEMU's QMP query-migrate (qapi MigrationInfo
// with its ram MigrationStats), as a collector logged it. Field names follow
// the qapi ones with - replaced by _; a field the poll lacks is null.
// Fields of the poll this table has no column for are named in
// other_fields, never silently dropped.
type QMPMigrate struct {
	Host   string     `parquet:"host,dict,zstd" json:"host" doc:"the QEMU host (--host)"`
	Time   *time.Time `parquet:"time,optional,timestamp(microsecond),zstd" json:"time" doc:"the collector's timestamp of the poll (epoch s/ms/us/ns number, RFC 3339 string, or QMP's {seconds, microseconds}); else --start + poll·--interval when --start is given; else null"`
	Poll   int64      `parquet:"poll,delta,zstd" json:"poll" doc:"0-based index of the poll among the file's polls"`
	Status *string    `parquet:"status,optional,dict,zstd" json:"status" doc:"MigrationStatus: setup, active, postcopy-active, pre-switchover, device, completed, failed, cancelling, cancelled, ..."`

	TotalTimeMs        *int64  `parquet:"total_time_ms,optional,zstd" json:"total_time_ms" unit:"ms" doc:"total-time: time since the migration started (to its end once completed)"`
	ExpectedDowntimeMs *int64  `parquet:"expected_downtime_ms,optional,zstd" json:"expected_downtime_ms" unit:"ms" doc:"expected-downtime: QEMU's estimate while active"`
	DowntimeMs         *int64  `parquet:"downtime_ms,optional,zstd" json:"downtime_ms" unit:"ms" doc:"downtime: measured stop-and-copy downtime, once completed"`
	SetupTimeMs        *int64  `parquet:"setup_time_ms,optional,zstd" json:"setup_time_ms" unit:"ms" doc:"setup-time: time spent in the setup phase"`
	CPUThrottlePct     *int64  `parquet:"cpu_throttle_percentage,optional,zstd" json:"cpu_throttle_percentage" unit:"%" doc:"cpu-throttle-percentage: auto-converge throttle"`
	ErrorDesc          *string `parquet:"error_desc,optional,zstd" json:"error_desc" doc:"error-desc: why the migration failed"`

	RAMTotal                   *int64   `parquet:"ram_total,optional,zstd" json:"ram_total" unit:"bytes" doc:"ram.total: guest RAM to migrate"`
	RAMTransferred             *int64   `parquet:"ram_transferred,optional,zstd" json:"ram_transferred" unit:"bytes" doc:"ram.transferred: bytes sent so far"`
	RAMRemaining               *int64   `parquet:"ram_remaining,optional,zstd" json:"ram_remaining" unit:"bytes" doc:"ram.remaining: bytes still to send"`
	RAMDuplicate               *int64   `parquet:"ram_duplicate,optional,zstd" json:"ram_duplicate" unit:"pages" doc:"ram.duplicate: zero pages sent as a marker"`
	RAMSkipped                 *int64   `parquet:"ram_skipped,optional,zstd" json:"ram_skipped" unit:"pages" doc:"ram.skipped: pages skipped (deprecated, always 0 in recent QEMU)"`
	RAMNormal                  *int64   `parquet:"ram_normal,optional,zstd" json:"ram_normal" unit:"pages" doc:"ram.normal: whole pages sent"`
	RAMNormalBytes             *int64   `parquet:"ram_normal_bytes,optional,zstd" json:"ram_normal_bytes" unit:"bytes" doc:"ram.normal-bytes: bytes of whole pages sent"`
	RAMMbps                    *float64 `parquet:"ram_mbps,optional,zstd" json:"ram_mbps" unit:"Mbit/s" doc:"ram.mbps: throughput of the last iteration"`
	RAMDirtyPagesRate          *int64   `parquet:"ram_dirty_pages_rate,optional,zstd" json:"ram_dirty_pages_rate" unit:"pages/s" doc:"ram.dirty-pages-rate: guest dirty rate measured at the last sync"`
	RAMDirtySyncCount          *int64   `parquet:"ram_dirty_sync_count,optional,zstd" json:"ram_dirty_sync_count" doc:"ram.dirty-sync-count: dirty bitmap syncs so far, i.e. precopy iterations"`
	RAMPageSize                *int64   `parquet:"ram_page_size,optional,zstd" json:"ram_page_size" unit:"bytes" doc:"ram.page-size: target page size"`
	RAMPagesPerSecond          *int64   `parquet:"ram_pages_per_second,optional,zstd" json:"ram_pages_per_second" unit:"pages/s" doc:"ram.pages-per-second: pages sent per second in the last iteration"`
	RAMPostcopyRequests        *int64   `parquet:"ram_postcopy_requests,optional,zstd" json:"ram_postcopy_requests" doc:"ram.postcopy-requests: page requests from the destination during postcopy"`
	RAMMultifdBytes            *int64   `parquet:"ram_multifd_bytes,optional,zstd" json:"ram_multifd_bytes" unit:"bytes" doc:"ram.multifd-bytes: bytes sent over multifd channels"`
	RAMPrecopyBytes            *int64   `parquet:"ram_precopy_bytes,optional,zstd" json:"ram_precopy_bytes" unit:"bytes" doc:"ram.precopy-bytes: bytes sent in precopy"`
	RAMDowntimeBytes           *int64   `parquet:"ram_downtime_bytes,optional,zstd" json:"ram_downtime_bytes" unit:"bytes" doc:"ram.downtime-bytes: bytes sent while the guest was stopped"`
	RAMPostcopyBytes           *int64   `parquet:"ram_postcopy_bytes,optional,zstd" json:"ram_postcopy_bytes" unit:"bytes" doc:"ram.postcopy-bytes: bytes sent in postcopy"`
	RAMDirtySyncMissedZeroCopy *int64   `parquet:"ram_dirty_sync_missed_zero_copy,optional,zstd" json:"ram_dirty_sync_missed_zero_copy" doc:"ram.dirty-sync-missed-zero-copy: syncs that missed zero-copy sends"`

	DiskTotal       *int64 `parquet:"disk_total,optional,zstd" json:"disk_total" unit:"bytes" doc:"disk.total: block migration (deprecated -b), bytes to migrate"`
	DiskTransferred *int64 `parquet:"disk_transferred,optional,zstd" json:"disk_transferred" unit:"bytes" doc:"disk.transferred"`
	DiskRemaining   *int64 `parquet:"disk_remaining,optional,zstd" json:"disk_remaining" unit:"bytes" doc:"disk.remaining"`

	XBZRLECacheSize     *int64   `parquet:"xbzrle_cache_size,optional,zstd" json:"xbzrle_cache_size" unit:"bytes" doc:"xbzrle-cache.cache-size"`
	XBZRLEBytes         *int64   `parquet:"xbzrle_bytes,optional,zstd" json:"xbzrle_bytes" unit:"bytes" doc:"xbzrle-cache.bytes: bytes sent XBZRLE-encoded"`
	XBZRLEPages         *int64   `parquet:"xbzrle_pages,optional,zstd" json:"xbzrle_pages" unit:"pages" doc:"xbzrle-cache.pages: pages sent XBZRLE-encoded"`
	XBZRLECacheMiss     *int64   `parquet:"xbzrle_cache_miss,optional,zstd" json:"xbzrle_cache_miss" unit:"pages" doc:"xbzrle-cache.cache-miss"`
	XBZRLECacheMissRate *float64 `parquet:"xbzrle_cache_miss_rate,optional,zstd" json:"xbzrle_cache_miss_rate" doc:"xbzrle-cache.cache-miss-rate, a fraction"`
	XBZRLEEncodingRate  *float64 `parquet:"xbzrle_encoding_rate,optional,zstd" json:"xbzrle_encoding_rate" doc:"xbzrle-cache.encoding-rate: raw bytes per encoded byte"`
	XBZRLEOverflow      *int64   `parquet:"xbzrle_overflow,optional,zstd" json:"xbzrle_overflow" unit:"pages" doc:"xbzrle-cache.overflow: pages whose encoding overflowed"`

	VFIOTransferred                  *int64 `parquet:"vfio_transferred,optional,zstd" json:"vfio_transferred" unit:"bytes" doc:"vfio.transferred: VFIO device state bytes"`
	PostcopyBlocktimeMs              *int64 `parquet:"postcopy_blocktime_ms,optional,zstd" json:"postcopy_blocktime_ms" unit:"ms" doc:"postcopy-blocktime: time all vCPUs were blocked in postcopy (destination)"`
	DirtyLimitThrottleTimePerRoundUs *int64 `parquet:"dirty_limit_throttle_time_per_round_us,optional,zstd" json:"dirty_limit_throttle_time_per_round_us" unit:"us" doc:"dirty-limit-throttle-time-per-round"`
	DirtyLimitRingFullTimeUs         *int64 `parquet:"dirty_limit_ring_full_time_us,optional,zstd" json:"dirty_limit_ring_full_time_us" unit:"us" doc:"dirty-limit-ring-full-time"`

	LibvirtTimeElapsedMs *int64 `parquet:"libvirt_time_elapsed_ms,optional,zstd" json:"libvirt_time_elapsed_ms" unit:"ms" doc:"libvirt's Time elapsed (virsh domjobinfo, time_elapsed): since libvirt began the job, by libvirt's clock; it starts before QEMU's migration (total-time) and, once completed, ends after it. Null from QMP logs"`
	LibvirtDowntimeMs    *int64 `parquet:"libvirt_downtime_ms,optional,zstd" json:"libvirt_downtime_ms" unit:"ms" doc:"libvirt's Total downtime of a completed job (virsh domjobinfo, downtime): for a migration libvirt's own measure from the source's vCPUs stopping to the destination's resuming (network and resume included), not QEMU's downtime (downtime_ms). Null from QMP logs"`

	OtherFields *string `parquet:"other_fields,optional,dict,zstd" json:"other_fields" doc:"dotted names of the poll's fields that have no column (newer QEMU fields, collector wrapper keys), sorted, comma-separated; null when none"`
}

func (*QMPMigrate) TableName() string { return "qmp_migrate" }

// Partition places the row by the QEMU host and the poll's time.
func (r *QMPMigrate) Partition() (string, time.Time) {
	if r.Time == nil {
		return r.Host, time.Time{}
	}
	return r.Host, *r.Time
}

var _ = Register[QMPMigrate]("One row per QEMU QMP query-migrate poll (MigrationInfo and its ram MigrationStats) from a collector's JSON log, a CSV export of its fields, or libvirt's virsh domjobinfo.")
