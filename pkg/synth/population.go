package synth

import (
	"math"
	"math/rand/v2"
)

// indicator is one column of the values file.
type indicator struct {
	id, name, topic, polarity, description string
}

// indicators are the block-level indicators, in the order of the CSV
// columns and of population.vals.
var indicators = []indicator{
	{"ew_u6", "Einwohner unter 6 Jahren", "Bevölkerung", "neutral", "Einwohnerinnen und Einwohner unter 6 Jahren am 31.12."},
	{"ew_6_15", "Einwohner 6 bis unter 15 Jahre", "Bevölkerung", "neutral", "Einwohnerinnen und Einwohner von 6 bis unter 15 Jahren am 31.12."},
	{"ew_15_65", "Einwohner 15 bis unter 65 Jahre", "Bevölkerung", "neutral", "Einwohnerinnen und Einwohner von 15 bis unter 65 Jahren am 31.12."},
	{"ew_65plus", "Einwohner 65 Jahre und älter", "Bevölkerung", "neutral", "Einwohnerinnen und Einwohner ab 65 Jahren am 31.12."},
	{"sgb2_u65", "SGB-II-Leistungsberechtigte unter 65 Jahren", "Soziale Lage", "higher_worse", "Leistungsberechtigte nach dem SGB II (Grundsicherung für Arbeitsuchende) unter 65 Jahren"},
	{"sgb2_u15", "Kinder unter 15 Jahren im SGB-II-Bezug", "Soziale Lage", "higher_worse", "Nicht erwerbsfähige Leistungsberechtigte unter 15 Jahren in Bedarfsgemeinschaften nach dem SGB II"},
	{"alo_sgb2", "Arbeitslose im SGB II", "Arbeitsmarkt", "higher_worse", "Arbeitslose im Rechtskreis SGB II von 15 bis unter 65 Jahren"},
	{"grusi_65plus", "Grundsicherung im Alter", "Soziale Lage", "higher_worse", "Empfängerinnen und Empfänger von Grundsicherung im Alter (SGB XII, 4. Kapitel) ab 65 Jahren"},
}

const (
	iU6 = iota
	i615
	i1565
	i65
	iSGB2
	iSGB2U15
	iALO
	iGrusi
	nIndicators
)

// Block uses: only residential blocks have values.
const (
	useResidential = iota
	useGreen
	useIndustry
)

var useNames = [3]string{"Wohnen", "Grünfläche", "Gewerbe und Industrie"}

// population holds the values of every populated block and date.
type population struct {
	dates   int
	use     []uint8   // per block
	blocks  []int32   // populated blocks (indexes into the block level), ascending
	vals    []int32   // populated block × date × indicator
	poverty []float64 // per populated block, at the last date
}

func (p *population) at(pb, t int) []int32 {
	i := (pb*p.dates + t) * nIndicators
	return p.vals[i : i+nIndicators]
}

// hotspot is a Gaussian bump of poverty that drifts and waxes or wanes.
type hotspot struct {
	x, y, vx, vy    float64 // cells, cells per year
	sigma, amp, tau float64
}

// populate computes residents by age band and the SGB II and Grundsicherung
// counts for every block and date. Residents concentrate in the centre and
// a few sub-centres; about 15 % of the blocks, in clusters, are parks or
// industry without residents. Poverty comes from a few drifting hotspots.
// Each series changes smoothly from year to year: trends plus a little
// autocorrelated noise.
func (m *model) populate(rng *rand.Rand) *population {
	g := m.g
	blocks := m.levels[3]
	nb := len(blocks)
	T := len(m.years)
	mid := float64(m.years[0]+m.years[T-1]) / 2
	r := g.r

	dens := newField(rng, g.w, g.h, max(3, r/4), 3)
	fam := newField(rng, g.w, g.h, max(3, r/5), 2)
	old := newField(rng, g.w, g.h, max(3, r/5), 2)
	grow := newField(rng, g.w, g.h, max(3, r/4), 2)
	pov := newField(rng, g.w, g.h, max(3, r/6), 2)
	useF := newField(rng, g.w, g.h, 3, 2)
	kind := newField(rng, g.w, g.h, max(3, r/6), 2)

	type centre struct{ x, y, strength, sigma float64 }
	subs := make([]centre, 3+rng.IntN(4))
	for i := range subs {
		d, a := r*(0.35+0.45*rng.Float64()), rng.Float64()*2*math.Pi
		subs[i] = centre{g.cx + d*math.Cos(a), g.cy + d*math.Sin(a), 0.5 + 0.5*rng.Float64(), r * (0.05 + 0.04*rng.Float64())}
	}
	spots := make([]hotspot, 3+int(math.Round(5*math.Sqrt(float64(nb)/100000))))
	for i := range spots {
		d, a := r*(0.15+0.8*rng.Float64()), rng.Float64()*2*math.Pi
		x, y := g.cx+d*math.Cos(a), g.cy+d*math.Sin(a)
		if i < 2 { // large housing estates at sub-centres
			x, y = subs[i].x, subs[i].y
		}
		va := rng.Float64() * 2 * math.Pi
		speed := 0.4 + 1.2*rng.Float64()
		spots[i] = hotspot{x: x, y: y, vx: speed * math.Cos(va), vy: speed * math.Sin(va),
			sigma: r * (0.05 + 0.08*rng.Float64()), amp: 0.4 + 0.5*rng.Float64(), tau: (rng.Float64() - 0.5) * 0.1}
	}
	poverty := func(px, py, dt float64) float64 {
		v := 0.04 + 0.15*pov.at(px, py)
		for _, s := range spots {
			dx, dy := px-(s.x+s.vx*dt), py-(s.y+s.vy*dt)
			v += s.amp * max(0, 1+s.tau*dt) * math.Exp(-(dx*dx+dy*dy)/(2*s.sigma*s.sigma))
		}
		return min(max(v, 0), 1.2)
	}
	// SGB II numbers follow the economy; unemployment falls slowly.
	macro := func(year int) float64 { return 1 + 0.05*math.Sin(2*math.Pi*float64(year-2015)/8) }
	aloTrend := func(dt float64) float64 { return 1 - 0.012*dt }

	p := &population{dates: T, use: make([]uint8, nb)}
	uses := make([]float64, nb)
	devs := make([]float64, nb)
	for i, b := range blocks {
		x, y := g.centre(b.cells[0])
		uses[i] = useF.at(x, y)
		if math.Hypot(x-g.cx, y-g.cy) > 0.45*r {
			devs[i] = grow.at(x, y)
		}
	}
	useLimit := quantile(append([]float64(nil), uses...), 0.85)
	devLimit := quantile(append([]float64(nil), devs...), 0.97)
	for i, b := range blocks {
		if uses[i] > useLimit {
			x, y := g.centre(b.cells[0])
			p.use[i] = useGreen
			if kind.at(x, y) > 0.5 {
				p.use[i] = useIndustry
			}
			continue
		}
		p.blocks = append(p.blocks, int32(i))
	}
	p.vals = make([]int32, len(p.blocks)*T*nIndicators)
	p.poverty = make([]float64, len(p.blocks))

	round := func(v float64) int32 { return int32(math.Round(v)) }
	for pb, bi := range p.blocks {
		px, py := g.centre(blocks[bi].cells[0])
		rr := math.Hypot(px-g.cx, py-g.cy) / r
		d := 30 + 230*math.Exp(-2.2*rr*rr)
		for _, s := range subs {
			dx, dy := px-s.x, py-s.y
			d += 140 * s.strength * math.Exp(-(dx*dx+dy*dy)/(2*s.sigma*s.sigma))
		}
		d *= math.Exp(dens.at(px, py)-0.5) * math.Exp(0.2*rng.NormFloat64())
		growth := -0.008 + 0.024*grow.at(px, py)
		dev := devs[bi] > devLimit
		devYear := float64(m.years[0] + rng.IntN(T))
		f, a := fam.at(px, py), old.at(px, py)
		sU6, s615, s65 := 0.055*(0.5+f), 0.08*(0.5+f), 0.21*(0.4+1.2*a)
		tKids, tOld := (f-0.5)*0.05, (a-0.45)*0.04
		if dev {
			sU6, s615, s65 = sU6*1.5, s615*1.4, s65*0.5
		}
		q := math.Exp(0.35 * rng.NormFloat64())
		aloShare := 0.32 + 0.16*rng.Float64()
		var eP, e1, e2, e3, eS float64
		for t, year := range m.years {
			dt := float64(year) - mid
			eP = 0.5*eP + 0.012*rng.NormFloat64()
			e1 = 0.6*e1 + 0.04*rng.NormFloat64()
			e2 = 0.6*e2 + 0.03*rng.NormFloat64()
			e3 = 0.6*e3 + 0.02*rng.NormFloat64()
			eS = 0.6*eS + 0.04*rng.NormFloat64()
			P := d * math.Exp(growth*dt) * (1 + eP)
			if dev {
				P *= 0.15 + 0.85/(1+math.Exp(-1.2*(float64(year)-devYear)))
			}
			pop := max(3, round(P))
			share := func(s, trend, e float64) float64 { return s * min(max(1+trend*dt, 0.5), 1.6) * (1 + e) }
			u6 := round(float64(pop) * share(sU6, tKids, e1))
			a615 := round(float64(pop) * share(s615, tKids, e2))
			o65 := round(float64(pop) * share(s65, tOld, e3))
			for u6+a615+o65 > pop { // cannot happen with these shares; keeps the invariant anyway
				switch {
				case o65 > 0:
					o65--
				case a615 > 0:
					a615--
				default:
					u6--
				}
			}
			a1565 := pop - u6 - a615 - o65
			pi := poverty(px, py, dt)
			rate := min(0.6, (0.015+0.3*pi)*q*macro(year)*(1+eS))
			sgb2 := round(rate * float64(u6+a615+a1565))
			kids := min(round(min(0.85, 1.6*rate)*float64(u6+a615)), sgb2)
			alo := min(round(aloShare*aloTrend(dt)*float64(sgb2-kids)), a1565)
			grusi := min(round(min(0.4, (0.008+0.12*pi)*q*(1+eS))*float64(o65)), o65)
			v := p.at(pb, t)
			v[iU6], v[i615], v[i1565], v[i65] = u6, a615, a1565, o65
			v[iSGB2], v[iSGB2U15], v[iALO], v[iGrusi] = sgb2, kids, alo, grusi
			if t == T-1 {
				p.poverty[pb] = pi
			}
		}
	}
	return p
}
