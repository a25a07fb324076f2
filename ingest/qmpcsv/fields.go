package qmpcsv

import (
	"github.com/migreplay/migreplay/schema"
)

// unit is what a qmp_migrate column holds.
type unit uint8

const (
	uNone unit = iota
	uBytes
	uMs
	uUs
	uPages
	uPagesPerS
	uMbps
	uPct
)

// field is a query-migrate member that qmp_migrate has a column for: its
// QMP path (total-time, ram.dirty-sync-count), its column, the column's
// unit, and where it goes in the row (exactly one of i, f, s is set).
type field struct {
	name, column string
	unit         unit
	i            func(*schema.QMPMigrate) **int64
	f            func(*schema.QMPMigrate) **float64
	s            func(*schema.QMPMigrate) **string
}

// fields lists every column of qmp_migrate that a poll fills, by its QMP
// name. TestFieldsCoverColumns checks it against schema.QMPMigrate's tags.
var fields = []field{
	{name: "status", column: "status", s: func(r *schema.QMPMigrate) **string { return &r.Status }},
	{name: "error-desc", column: "error_desc", s: func(r *schema.QMPMigrate) **string { return &r.ErrorDesc }},
	{name: "total-time", column: "total_time_ms", unit: uMs, i: func(r *schema.QMPMigrate) **int64 { return &r.TotalTimeMs }},
	{name: "expected-downtime", column: "expected_downtime_ms", unit: uMs, i: func(r *schema.QMPMigrate) **int64 { return &r.ExpectedDowntimeMs }},
	{name: "downtime", column: "downtime_ms", unit: uMs, i: func(r *schema.QMPMigrate) **int64 { return &r.DowntimeMs }},
	{name: "setup-time", column: "setup_time_ms", unit: uMs, i: func(r *schema.QMPMigrate) **int64 { return &r.SetupTimeMs }},
	{name: "cpu-throttle-percentage", column: "cpu_throttle_percentage", unit: uPct, i: func(r *schema.QMPMigrate) **int64 { return &r.CPUThrottlePct }},
	{name: "postcopy-blocktime", column: "postcopy_blocktime_ms", unit: uMs, i: func(r *schema.QMPMigrate) **int64 { return &r.PostcopyBlocktimeMs }},
	{name: "dirty-limit-throttle-time-per-round", column: "dirty_limit_throttle_time_per_round_us", unit: uUs, i: func(r *schema.QMPMigrate) **int64 { return &r.DirtyLimitThrottleTimePerRoundUs }},
	{name: "dirty-limit-ring-full-time", column: "dirty_limit_ring_full_time_us", unit: uUs, i: func(r *schema.QMPMigrate) **int64 { return &r.DirtyLimitRingFullTimeUs }},
	{name: "ram.total", column: "ram_total", unit: uBytes, i: func(r *schema.QMPMigrate) **int64 { return &r.RAMTotal }},
	{name: "ram.transferred", column: "ram_transferred", unit: uBytes, i: func(r *schema.QMPMigrate) **int64 { return &r.RAMTransferred }},
	{name: "ram.remaining", column: "ram_remaining", unit: uBytes, i: func(r *schema.QMPMigrate) **int64 { return &r.RAMRemaining }},
	{name: "ram.duplicate", column: "ram_duplicate", unit: uPages, i: func(r *schema.QMPMigrate) **int64 { return &r.RAMDuplicate }},
	{name: "ram.skipped", column: "ram_skipped", unit: uPages, i: func(r *schema.QMPMigrate) **int64 { return &r.RAMSkipped }},
	{name: "ram.normal", column: "ram_normal", unit: uPages, i: func(r *schema.QMPMigrate) **int64 { return &r.RAMNormal }},
	{name: "ram.normal-bytes", column: "ram_normal_bytes", unit: uBytes, i: func(r *schema.QMPMigrate) **int64 { return &r.RAMNormalBytes }},
	{name: "ram.mbps", column: "ram_mbps", unit: uMbps, f: func(r *schema.QMPMigrate) **float64 { return &r.RAMMbps }},
	{name: "ram.dirty-pages-rate", column: "ram_dirty_pages_rate", unit: uPagesPerS, i: func(r *schema.QMPMigrate) **int64 { return &r.RAMDirtyPagesRate }},
	{name: "ram.dirty-sync-count", column: "ram_dirty_sync_count", i: func(r *schema.QMPMigrate) **int64 { return &r.RAMDirtySyncCount }},
	{name: "ram.page-size", column: "ram_page_size", unit: uBytes, i: func(r *schema.QMPMigrate) **int64 { return &r.RAMPageSize }},
	{name: "ram.pages-per-second", column: "ram_pages_per_second", unit: uPagesPerS, i: func(r *schema.QMPMigrate) **int64 { return &r.RAMPagesPerSecond }},
	{name: "ram.postcopy-requests", column: "ram_postcopy_requests", i: func(r *schema.QMPMigrate) **int64 { return &r.RAMPostcopyRequests }},
	{name: "ram.multifd-bytes", column: "ram_multifd_bytes", unit: uBytes, i: func(r *schema.QMPMigrate) **int64 { return &r.RAMMultifdBytes }},
	{name: "ram.precopy-bytes", column: "ram_precopy_bytes", unit: uBytes, i: func(r *schema.QMPMigrate) **int64 { return &r.RAMPrecopyBytes }},
	{name: "ram.downtime-bytes", column: "ram_downtime_bytes", unit: uBytes, i: func(r *schema.QMPMigrate) **int64 { return &r.RAMDowntimeBytes }},
	{name: "ram.postcopy-bytes", column: "ram_postcopy_bytes", unit: uBytes, i: func(r *schema.QMPMigrate) **int64 { return &r.RAMPostcopyBytes }},
	{name: "ram.dirty-sync-missed-zero-copy", column: "ram_dirty_sync_missed_zero_copy", i: func(r *schema.QMPMigrate) **int64 { return &r.RAMDirtySyncMissedZeroCopy }},
	{name: "disk.total", column: "disk_total", unit: uBytes, i: func(r *schema.QMPMigrate) **int64 { return &r.DiskTotal }},
	{name: "disk.transferred", column: "disk_transferred", unit: uBytes, i: func(r *schema.QMPMigrate) **int64 { return &r.DiskTransferred }},
	{name: "disk.remaining", column: "disk_remaining", unit: uBytes, i: func(r *schema.QMPMigrate) **int64 { return &r.DiskRemaining }},
	{name: "xbzrle-cache.cache-size", column: "xbzrle_cache_size", unit: uBytes, i: func(r *schema.QMPMigrate) **int64 { return &r.XBZRLECacheSize }},
	{name: "xbzrle-cache.bytes", column: "xbzrle_bytes", unit: uBytes, i: func(r *schema.QMPMigrate) **int64 { return &r.XBZRLEBytes }},
	{name: "xbzrle-cache.pages", column: "xbzrle_pages", unit: uPages, i: func(r *schema.QMPMigrate) **int64 { return &r.XBZRLEPages }},
	{name: "xbzrle-cache.cache-miss", column: "xbzrle_cache_miss", unit: uPages, i: func(r *schema.QMPMigrate) **int64 { return &r.XBZRLECacheMiss }},
	{name: "xbzrle-cache.cache-miss-rate", column: "xbzrle_cache_miss_rate", f: func(r *schema.QMPMigrate) **float64 { return &r.XBZRLECacheMissRate }},
	{name: "xbzrle-cache.encoding-rate", column: "xbzrle_encoding_rate", f: func(r *schema.QMPMigrate) **float64 { return &r.XBZRLEEncodingRate }},
	{name: "xbzrle-cache.overflow", column: "xbzrle_overflow", unit: uPages, i: func(r *schema.QMPMigrate) **int64 { return &r.XBZRLEOverflow }},
	{name: "vfio.transferred", column: "vfio_transferred", unit: uBytes, i: func(r *schema.QMPMigrate) **int64 { return &r.VFIOTransferred }},
}

// fieldIndex finds a field by its QMP name or its column name.
var fieldIndex = func() map[string]int {
	m := make(map[string]int, 2*len(fields))
	for i, f := range fields {
		m[f.name] = i
		m[f.column] = i
	}
	return m
}()
