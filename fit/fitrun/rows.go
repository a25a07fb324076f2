package fitrun

import (
	"fmt"
	"strings"

	"github.com/migreplay/migreplay/fit"
	"github.com/migreplay/migreplay/schema"
)

func ptrTo[T any](v T) *T { return &v }

// predRow is a predictions row of prediction p.
func predRow(r schema.FitPrediction, source string, p fit.Prediction) schema.FitPrediction {
	r.Source, r.X, r.YPred, r.Kind = source, p.X, p.Y, string(p.Kind)
	r.ConfLo, r.ConfHi, r.PredLo, r.PredHi = p.ConfLo, p.ConfHi, p.PredLo, p.PredHi
	return r
}

// fitRow is the fits row of one evaluated model: every parameter (the
// table holds schema.FitParamCols; a test checks that no registered model
// has more) and every metric, nullable ones null when their check could
// not run.
func fitRow(class string, rep *fit.Report, selected bool, cfg Config) schema.FitResult {
	r := rep.Fit
	row := schema.FitResult{
		Class: class, Model: string(r.Model), Formula: r.Model.Formula(), Space: string(r.Space),
		XCol: cfg.X, YCol: cfg.Y, Source: cfg.In, N: int64(r.N), Params: int64(r.P), Selected: selected,
		TQuantile: r.TQuantile, R2Fit: r.R2Fit, AdjR2Fit: r.AdjR2Fit, SigmaFit: r.Sigma,
		R2Y: r.R2Y, AdjR2Y: r.AdjR2Y, Corr2Y: r.Corr2, RMSE: r.RMSE, RMSEDf: r.RMSEDf, MAE: r.MAE, MAPE: r.MAPE,
		KFoldSeed: cfg.Fit.Seed,
	}
	for j, p := range r.Params {
		if !row.SetParam(j, p.Value, p.SE, p.Lo, p.Hi) {
			panic(fmt.Sprintf("fitrun: model %s has %d parameters, the fits table holds %d", r.Model, r.P, schema.FitParamCols))
		}
	}
	row.ALogScale = r.Params[0].LogScale
	if cv := rep.LOO; cv != nil {
		row.LOORMSE, row.LOOMAPE, row.LOOR2Y, row.LOOR2Fit = &cv.RMSE, &cv.MAPE, &cv.R2Y, &cv.R2Fit
	}
	if cv := rep.KFold; cv != nil {
		row.KFoldK, row.KFoldRMSE, row.KFoldMAPE, row.KFoldR2Y = ptrTo(int64(cv.K)), &cv.RMSE, &cv.MAPE, &cv.R2Y
	}
	if h := rep.Holdout; h != nil {
		row.HoldoutTrain, row.HoldoutMAE, row.HoldoutMAPE = ptrTo(int64(len(h.Train))), &h.MAE, &h.MAPE
		row.HoldoutMaxAbsRelErr = &h.MaxAbsRelErr
	}
	var notes []string
	for _, n := range []struct {
		check string
		err   error
	}{{"loo", rep.LOOErr}, {"kfold", rep.KFoldErr}, {"holdout", rep.HoldoutErr}} {
		if n.err != nil {
			notes = append(notes, n.check+": "+n.err.Error())
		}
	}
	row.Notes = strings.Join(notes, "; ")
	return row
}
