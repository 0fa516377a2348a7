// Package access measures how well population carriers (demand points,
// usually block interior points with a population) reach help offers
// (supply points with a capacity: Kita places, youth centres, counselling).
//
// Distances are geodesic straight-line distances in metres on the WGS84
// ellipsoid (geo.Distance); there is no road or transit network, so they
// are lower bounds of the way people actually walk or drive.
//
// The core works on explicit pairs (demand i, offer j, distance d) so that
// every measure can be checked on a hand-made example:
//
//   - Within finds all pairs up to a catchment distance d0 with an R-tree.
//   - FCA computes the two-step floating catchment area accessibility
//     (2SFCA, Luo & Wang 2003) and, with a Gaussian distance decay, its
//     enhanced variant (E2SFCA, Luo & Qi 2009).
//   - Coverage is the population share within a distance of any offer.
//   - NearestDistance and MeanNearest give the distance to the nearest offer
//     and its population-weighted mean.
//   - ByUnit sums per-carrier results into numerator and denominator per
//     area unit (Sozialraum, Planungsraum, …).
//
// All functions check their input and return errors naming the offending
// index; none of them panics on bad input.
package access
