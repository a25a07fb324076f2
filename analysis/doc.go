// Package analysis is where migreplay's packages meet: it reads the lake's
// tables (schema/table) and turns them into migrations, outages, VM
// rankings and the fitters' and reproductions' inputs.
package analysis
