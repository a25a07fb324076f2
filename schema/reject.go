package schema

// Reject is one input line that did not parse (lenient mode). The rejects
// table is not partitioned: table=rejects/part-<hash>.parquet.
//
// Every string column is valid UTF-8: a byte that is not (a Latin-1 file,
// binary junk, a file name in another encoding) is written as the four
// characters \xHH, and the line's exact bytes go to raw_bytes.
type Reject struct {
	File     string `parquet:"file,dict,zstd" doc:"input path as given on the command line (bytes that are not UTF-8 as \\xHH)"`
	Line     int64  `parquet:"line,delta,zstd" doc:"1-based line number; for a corrupt archive, the line being read when the stream broke"`
	Col      int64  `parquet:"col,zstd" doc:"1-based byte column of the fault (the first NUL of binary data, the first byte that is not UTF-8), 0 when unknown"`
	Format   string `parquet:"format,dict,zstd" doc:"parser that rejected the line"`
	Reason   string `parquet:"reason,zstd" doc:"what is wrong, one line"`
	Raw      string `parquet:"raw,zstd" doc:"the line as read (first 4096 bytes, cut between characters), as valid UTF-8: a byte that is not UTF-8 is written \\xHH"`
	RawBytes []byte `parquet:"raw_bytes,optional,zstd" doc:"the exact bytes of raw when the line is not valid UTF-8 (binary, not a string); null when raw is exact"`
}

func (*Reject) TableName() string { return "rejects" }

var _ = Register[Reject]("Input lines that did not parse, with the reason (lenient mode).")
