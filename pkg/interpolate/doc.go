// Package interpolate carries indicators between two sets of areas that do
// not nest: areal interpolation as in PySAL's tobler. A city reports by
// Planungsraum, but its school or youth-welfare office plans in districts
// of its own whose boundaries cut across the Planungsräume; to show an
// indicator in those districts, each source unit's value is shared out to
// the target units it overlaps.
//
// First the weights: how much of source unit s lies in target unit t.
// AreaWeights measures it as the area of the intersection (square metres,
// on the WGS84 ellipsoid); PopulationWeights as the number of residents of
// the intersection, counted from population carriers (for example one
// interior point per block with the block's residents) that the caller has
// located in both unit sets. Then Extensive interpolates counts and
// Intensive interpolates rates and means:
//
//	Extensive: v_t = Σ_s v_s · w_st / w_s       (w_s: the source's total)
//	Intensive: v_t = Σ_s v_s · w_st / Σ_s' w_s't
//
// A target that draws on a source without a value gets no value rather
// than a silently lower count or a rate from only some of its parts; see
// Weights.Extensive.
package interpolate
