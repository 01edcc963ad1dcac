# Clustered bar chart of bench/compare.sh results: one cluster per workload
# (and the geometric mean), one bar per engine, time / native time on a log
# scale with native drawn as the dashed line at 1.
#
#   gnuplot -c bench/plot.gp DATA OUT TERMINAL TITLE YMIN YMAX COLUMNS
#     DATA      tab-separated: header "workload ENGINE...", then one row per
#               workload; "-" where an engine has no result
#     TERMINAL  pngcairo or png
#     COLUMNS   number of columns in DATA (workload + engines)

data = ARG1
terminal = ARG3
columns = int(ARG7)

# noenhanced: engine names such as wvm-jit_x must print as written.
set terminal @terminal size 1400,700 noenhanced
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
set key outside right top vertical title "engine"

# Native is the reference every bar is measured against.
set arrow from graph 0, first 1 to graph 1, first 1 nohead dashtype 2 linewidth 2 lc rgb "black" front

plot for [i = 2:columns] data using i:xtic(1) title columnheader(i)
