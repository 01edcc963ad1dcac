# Clustered bar chart of bench/compare.sh results: one cluster per workload
# (and the geometric mean), one bar per engine, time / native time on a log
# scale with native drawn as the dashed line at 1.
#
#   gnuplot -c bench/plot.gp DATA OUT TERMINAL TITLE YMIN YMAX COLUMNS
#     DATA      tab-separated: header "workload ENGINE...", then one row per
#               workload; "-" where an engine has no result
#     TERMINAL  pngcairo or png
#     COLUMNS   number of columns in DATA (workload + engines)
#     ROWS      number of data rows (workloads + the geomean row, last)

data = ARG1
terminal = ARG3
columns = int(ARG7)
rows = int(ARG8)

# noenhanced: engine names such as wvm-jit_x must print as written.
set terminal @terminal size 1600,720 noenhanced
set output ARG2
set title ARG4

set datafile separator "\t"
set datafile missing "-"

set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border rgb "#404040"
set boxwidth 0.9 relative

set logscale y 10
set yrange [real(ARG5):real(ARG6)]
set ylabel "time / native time (log scale, lower is faster)"
set format y "%gx"
set grid ytics mytics lc rgb "#d0d0d0"
set xtics nomirror
# Cluster k is centred on x = k; no empty margin before the first one.
set xrange [-0.5:rows - 0.5]
set key outside right top vertical title "engine"

# Native is the reference every bar is measured against.
set arrow from graph 0, first 1 to graph 1, first 1 nohead dashtype 2 linewidth 2 lc rgb "black" front

# The geometric mean is a summary, not a workload: set it apart.
set arrow from rows - 1.5, graph 0 to rows - 1.5, graph 1 nohead dashtype 3 lc rgb "#808080"

# Sixteen distinguishable colours (gnuplot's default set repeats after eight).
array colours[16] = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", \
  "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", \
  "#c5b0d5", "#c49c94"]
do for [i = 1:16] { set linetype i lc rgb colours[i] }
set linetype cycle 16

plot for [i = 2:columns] data using i:xtic(1) title columnheader(i)
