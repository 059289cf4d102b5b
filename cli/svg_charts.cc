#include "cli/svg_charts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <limits>
#include <numeric>

#include "common/utf8.h"

namespace fedreg::cli {
namespace {

constexpr double kW = kChartWidth;
constexpr double kH = kChartHeight;
constexpr char kInk[] = "#222222";    // titles, labels
constexpr char kMuted[] = "#5f6368";  // subtitles, tick labels, notes
constexpr char kGrid[] = "#e6e6e6";
constexpr char kAxisColor[] = "#8a8a8a";
constexpr char kTotalBars[] = "#8d99a6";  // the by-site chart's monthly totals

// Tableau 10, then a dark blue for an 11th series; cycled beyond.
constexpr const char* kSeriesColors[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
                                         "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1f3a60"};

// ---- text -------------------------------------------------------------------

// `raw` made safe for XML character data and attribute values: valid UTF-8
// (bad bytes -> U+FFFD), no characters XML 1.0 forbids, markup escaped.
std::string Escape(std::string_view raw) {
  const std::string text = Utf8Prefix(raw, std::numeric_limits<size_t>::max());
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\t':
      case '\n':
      case '\r':
        out += ' ';
        break;
      default:
        if (u < 0x20 || u == 0x7f) break;  // C0 controls are not XML characters
        // U+FFFE and U+FFFF (EF BF BE/BF) are not XML characters either.
        if (u == 0xEF && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xBF &&
            (static_cast<unsigned char>(text[i + 2]) & 0xFE) == 0xBE) {
          out += "\xEF\xBF\xBD";
          i += 2;
          break;
        }
        out += c;
    }
  }
  return out;
}

// Decodes the code point at text[*i] (valid UTF-8 assumed) and advances *i.
uint32_t NextCodePoint(std::string_view text, size_t* i) {
  const auto b0 = static_cast<unsigned char>(text[*i]);
  size_t len = 1;
  uint32_t cp = b0;
  if (b0 >= 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else if (b0 >= 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if (b0 >= 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  }
  for (size_t k = 1; k < len && *i + k < text.size(); ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(text[*i + k]) & 0x3F);
  }
  *i += len;
  return cp;
}

// Width of one code point in em, close to DejaVu Sans (what "sans-serif"
// resolves to on Debian) and a little generous elsewhere.
double CharEm(uint32_t cp) {
  if (cp >= 0x2E80) return 1.0;  // CJK, kana, fullwidth forms
  if (cp >= 0x80) return 0.7;
  const char c = static_cast<char>(cp);
  if (std::string_view(" .,:;'|!ijlft()[]").find(c) != std::string_view::npos) return 0.34;
  if (std::string_view("mwMW%").find(c) != std::string_view::npos) return 0.98;
  if (c >= 'A' && c <= 'Z') return 0.74;
  return 0.64;
}

double TextWidth(std::string_view text, double font_size) {
  const std::string valid = Utf8Prefix(text, std::numeric_limits<size_t>::max());
  double em = 0;
  for (size_t i = 0; i < valid.size();) em += CharEm(NextCodePoint(valid, &i));
  return em * font_size;
}

// `text` cut to fit `max_width` px, ending with "…" when cut.
std::string FitText(std::string_view text, double font_size, double max_width) {
  std::string valid = Utf8Prefix(text, std::numeric_limits<size_t>::max());
  if (TextWidth(valid, font_size) <= max_width) return valid;
  const double budget = max_width - CharEm(0x2026) * font_size;
  double used = 0;
  size_t i = 0;
  while (i < valid.size()) {
    size_t next = i;
    const double w = CharEm(NextCodePoint(valid, &next)) * font_size;
    if (used + w > budget) break;
    used += w;
    i = next;
  }
  return valid.substr(0, i) + "\xE2\x80\xA6";
}

// "12,345".
std::string Count(int64_t n) {
  std::string digits = std::to_string(n);
  const size_t start = digits[0] == '-' ? 1 : 0;
  for (size_t pos = digits.size(); pos > start + 3; pos -= 3) digits.insert(pos - 3, ",");
  return digits;
}

// A coordinate: one decimal, without a trailing ".0".
std::string Px(double v) {
  if (!std::isfinite(v)) v = 0;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  std::string s = buf;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  if (s == "-0") s = "0";
  return s;
}

// "45%" (decimals 0) or "33.4%" (decimals 1); "<1%" / "<0.1%" for a small non-zero part.
std::string Percent(int64_t part, int64_t whole, int decimals) {
  const double p = 100.0 * static_cast<double>(part) / static_cast<double>(whole);
  const double smallest = decimals == 0 ? 1.0 : 0.1;
  if (part > 0 && p < smallest) return decimals == 0 ? "<1%" : "<0.1%";
  // Half away from zero (22.5% -> "23%"), not printf's half-to-even.
  const double scale = decimals == 0 ? 1.0 : 10.0;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f%%", decimals, std::round(p * scale) / scale);
  return buf;
}

// ---- elements ---------------------------------------------------------------

std::string A(std::string_view name, std::string_view value) {
  return " " + std::string(name) + "=\"" + Escape(value) + "\"";
}
std::string N(std::string_view name, double value) { return " " + std::string(name) + "=\"" + Px(value) + "\""; }
std::string I(std::string_view name, int64_t value) {
  return " " + std::string(name) + "=\"" + std::to_string(value) + "\"";
}

// Text attributes: size, colour, anchor ("start", "middle", "end"), extras.
std::string TextStyle(double size, std::string_view color, std::string_view anchor = "start") {
  std::string s = N("font-size", size) + A("fill", color);
  if (anchor != "start") s += A("text-anchor", anchor);
  return s;
}

void Text(std::string* out, double x, double y, std::string_view text, const std::string& attrs) {
  *out += "<text" + N("x", x) + N("y", y) + attrs + ">" + Escape(text) + "</text>\n";
}

void Line(std::string* out, double x1, double y1, double x2, double y2, std::string_view color, double width,
          const std::string& extra = "") {
  *out += "<line" + N("x1", x1) + N("y1", y1) + N("x2", x2) + N("y2", y2) + A("stroke", color) +
          N("stroke-width", width) + extra + "/>\n";
}

std::string RectAttrs(double x, double y, double w, double h) {
  return N("x", x) + N("y", y) + N("width", std::max(0.0, w)) + N("height", std::max(0.0, h));
}

std::string Begin(std::string_view title) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\"" + I("width", kChartWidth) + I("height", kChartHeight) +
         A("viewBox", "0 0 " + std::to_string(kChartWidth) + " " + std::to_string(kChartHeight)) +
         A("font-family", "sans-serif") + ">\n";
  out += "<title>" + Escape(title) + "</title>\n";
  out += "<rect" + RectAttrs(0, 0, kW, kH) + A("fill", "#ffffff") + "/>\n";
  return out;
}

// Title (bold, top left, cut to the width) and an optional subtitle under it.
void Heading(std::string* out, std::string_view title, std::string_view subtitle) {
  // Bold runs about 12% wider than the regular widths TextWidth knows.
  Text(out, 24, 34, FitText(title, 20 * 1.12, kW - 48),
       TextStyle(20, kInk) + A("font-weight", "bold") + A("class", "title"));
  if (!subtitle.empty()) Text(out, 24, 56, FitText(subtitle, 13, kW - 48), TextStyle(13, kMuted));
}

void Note(std::string* out, std::string_view note) {
  if (!note.empty()) Text(out, 24, kH - 12, FitText(note, 11, kW - 48), TextStyle(11, kMuted) + A("class", "note"));
}

// A legend entry: a swatch and a label.
struct LegendItem {
  std::string label;
  std::string color;
  bool hatched = false;
};

// Legend items in a row from (x, y), wrapping before `right`; returns the
// baseline of the last row.
double FlowLegend(std::string* out, const std::vector<LegendItem>& items, double x, double y, double right) {
  constexpr double kSize = 12;
  double cx = x;
  for (const auto& item : items) {
    const double w = 14 + 6 + TextWidth(item.label, kSize) + 18;
    if (cx > x && cx + w > right) {
      cx = x;
      y += 20;
    }
    *out += "<rect" + RectAttrs(cx, y - 10, 14, 12) +
            A("fill", item.hatched ? std::string("url(#hatch)") : item.color) +
            (item.hatched || item.color == "#ffffff" ? A("stroke", kAxisColor) : std::string()) +
            A("class", "legend-swatch") + "/>\n";
    Text(out, cx + 20, y, item.label, TextStyle(kSize, kInk) + A("class", "legend"));
    cx += w;
  }
  return y;
}

// ---- scales -----------------------------------------------------------------

// An axis from 0 to `max` in steps of `step`, both round (1, 2 or 5 x 10^n).
struct Axis {
  int64_t max = 1;
  int64_t step = 1;
};

Axis NiceAxis(int64_t data_max, int64_t max_ticks) {
  if (data_max <= 0) return {};
  for (int64_t mag = 1; mag <= std::numeric_limits<int64_t>::max() / 50; mag *= 10) {
    for (const int64_t m : {1, 2, 5}) {
      const int64_t step = m * mag;
      const int64_t n = data_max / step + (data_max % step != 0 ? 1 : 0);
      if (n <= max_ticks) return {n * step, step};
    }
  }
  return {data_max, data_max};
}

// Horizontal gridlines and tick labels of a vertical axis from y_bottom
// (0) to y_top (axis.max), labels right-aligned at x_label.
void VerticalAxis(std::string* out, const Axis& axis, double x_left, double x_right, double y_bottom, double y_top,
                  double x_label) {
  for (int64_t v = 0; v <= axis.max; v += axis.step) {
    const double y = y_bottom - (y_bottom - y_top) * static_cast<double>(v) / static_cast<double>(axis.max);
    if (v > 0) Line(out, x_left, y, x_right, y, kGrid, 1);
    Text(out, x_label, y + 4, Count(v), TextStyle(11, kMuted, "end") + A("class", "tick"));
  }
}

// An axis title rotated to read bottom-up, centred on y_mid.
void RotatedTitle(std::string* out, double x, double y_mid, std::string_view text) {
  *out += "<text" + N("x", x) + N("y", y_mid) + TextStyle(12, kInk, "middle") + A("class", "axis-title") +
          A("transform", "rotate(-90 " + Px(x) + " " + Px(y_mid) + ")") + ">" + Escape(text) + "</text>\n";
}

std::string MaxTickLabel(const Axis& axis) { return Count(axis.max); }

// ---- months -----------------------------------------------------------------

// "YYYY-MM" -> year * 12 + month - 1; nullopt when not such a month.
std::optional<int64_t> MonthIndex(std::string_view s) {
  if (s.size() != 7 || s[4] != '-') return std::nullopt;
  int64_t year = 0;
  for (size_t i = 0; i < 4; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    year = year * 10 + (s[i] - '0');
  }
  if (s[5] < '0' || s[5] > '9' || s[6] < '0' || s[6] > '9') return std::nullopt;
  const int64_t month = (s[5] - '0') * 10 + (s[6] - '0');
  if (year < 1 || month < 1 || month > 12) return std::nullopt;
  return year * 12 + month - 1;
}

std::string MonthName(int64_t index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld", static_cast<long long>(index / 12),
                static_cast<long long>(index % 12 + 1));
  return buf;
}

// Which months get a label: every `stride`-th, stride one of 1, 2, 3, 4, 6,
// 12, 24, 36, ... (so that labels fall on the same months every year, on
// January when stride >= 12), the smallest that leaves `min_gap` px per label.
std::vector<bool> MonthLabels(const std::vector<std::string>& months, double slot, double min_gap) {
  const size_t n = months.size();
  std::vector<bool> labelled(n, false);
  if (n == 0) return labelled;
  int64_t stride = 1;
  const int64_t needed = static_cast<int64_t>(std::ceil(min_gap / std::max(slot, 0.01)));
  for (const int64_t s : {1, 2, 3, 4, 6, 12}) {
    stride = s;
    if (s >= needed) break;
  }
  if (stride < needed) stride = ((needed + 11) / 12) * 12;
  std::vector<std::optional<int64_t>> index(n);
  bool all_months = true;
  for (size_t i = 0; i < n; ++i) {
    index[i] = MonthIndex(months[i]);
    all_months = all_months && index[i].has_value();
  }
  for (size_t i = 0; i < n; ++i) {
    const std::optional<int64_t>& m = index[i];
    labelled[i] = all_months && m.has_value() ? *m % stride == 0 : static_cast<int64_t>(i) % stride == 0;
  }
  // With no aligned month in range (a short range, a long stride), label the first.
  if (std::none_of(labelled.begin(), labelled.end(), [](bool b) { return b; })) labelled[0] = true;
  return labelled;
}

std::string JoinCounts(const std::vector<int64_t>& values) {
  std::string s;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) s += ',';
    s += std::to_string(values[i]);
  }
  return s;
}

}  // namespace

// ---- registrations ------------------------------------------------------------

std::vector<std::string> MonthRange(std::string_view first, std::string_view last) {
  std::vector<std::string> out;
  const std::optional<int64_t> a = MonthIndex(first);
  const std::optional<int64_t> b = MonthIndex(last);
  if (!a.has_value() || !b.has_value() || *a > *b) return out;
  out.reserve(static_cast<size_t>(*b - *a + 1));
  for (int64_t m = *a; m <= *b; ++m) out.push_back(MonthName(m));
  return out;
}

std::string RegistrationsChart(const RegistrationsInput& in) {
  const std::string title = in.title.empty() ? "Cumulative registrations" : in.title;
  std::string out = Begin(title);
  const size_t n = in.months.size();
  const size_t series_count = in.series.size();

  // New registrations [series][month], their running totals, month totals.
  std::vector<std::vector<int64_t>> fresh(series_count, std::vector<int64_t>(n, 0));
  std::vector<std::vector<int64_t>> cumulative(series_count, std::vector<int64_t>(n, 0));
  std::vector<int64_t> month_total(n, 0);
  std::vector<int64_t> series_total(series_count, 0);
  for (size_t s = 0; s < series_count; ++s) {
    const auto& per_month = in.series[s].per_month;
    int64_t running = 0;
    for (size_t m = 0; m < n; ++m) {
      fresh[s][m] = m < per_month.size() ? std::max<int64_t>(0, per_month[m]) : 0;
      running += fresh[s][m];
      cumulative[s][m] = running;
      month_total[m] += fresh[s][m];
    }
    series_total[s] = running;
  }
  const int64_t grand_total = std::accumulate(series_total.begin(), series_total.end(), int64_t{0});

  std::string subtitle;
  if (n > 0) {
    subtitle = in.months.front() + " to " + in.months.back() + ": " + Count(grand_total) + " registrations";
    if (!in.stacked) subtitle += " at " + std::to_string(series_count) + " sites";
  }
  Heading(&out, title, subtitle);
  if (n == 0 || series_count == 0) {
    Text(&out, kW / 2, kH / 2, "No registrations", TextStyle(16, kMuted, "middle") + A("class", "empty"));
    Note(&out, in.note);
    return out + "</svg>\n";
  }

  // Layout: legend row (stacked) or legend column (by site); upper panel
  // (cumulative); lower band (new per month); month labels; note.
  const double upper_top = in.stacked ? 92 : 78;
  const double upper_bottom = 318;
  const double lower_top = 346;
  const double lower_bottom = 456;
  int64_t upper_max = 0;
  if (in.stacked) {
    upper_max = grand_total;
  } else {
    upper_max = *std::max_element(series_total.begin(), series_total.end());
  }
  const Axis upper_axis = NiceAxis(upper_max, 5);
  const Axis lower_axis = NiceAxis(*std::max_element(month_total.begin(), month_total.end()), 3);
  const double tick_w = std::max(TextWidth(MaxTickLabel(upper_axis), 11), TextWidth(MaxTickLabel(lower_axis), 11));
  const double left = std::max(70.0, 34 + tick_w + 10);
  const double right = in.stacked ? kW - 44 : kW - 230;
  const double slot = (right - left) / static_cast<double>(n);
  auto x_of = [&](size_t m) { return left + (static_cast<double>(m) + 0.5) * slot; };
  auto y_upper = [&](int64_t v) {
    return upper_bottom - (upper_bottom - upper_top) * static_cast<double>(v) / static_cast<double>(upper_axis.max);
  };
  auto y_lower = [&](int64_t v) {
    return lower_bottom - (lower_bottom - lower_top) * static_cast<double>(v) / static_cast<double>(lower_axis.max);
  };
  auto color = [](size_t s) { return std::string(kSeriesColors[s % std::size(kSeriesColors)]); };

  // Month labels and their vertical gridlines through both panels.
  const std::vector<bool> labelled = MonthLabels(in.months, slot, TextWidth("0000-00", 11) + 14);
  for (size_t m = 0; m < n; ++m) {
    if (!labelled[m]) continue;
    Line(&out, x_of(m), upper_top, x_of(m), upper_bottom, kGrid, 1);
    Line(&out, x_of(m), lower_top, x_of(m), lower_bottom, kGrid, 1);
    Line(&out, x_of(m), lower_bottom, x_of(m), lower_bottom + 5, kAxisColor, 1);
    Text(&out, x_of(m), lower_bottom + 19, in.months[m], TextStyle(11, kMuted, "middle") + A("class", "month-label"));
  }
  VerticalAxis(&out, upper_axis, left, right, upper_bottom, upper_top, left - 8);
  VerticalAxis(&out, lower_axis, left, right, lower_bottom, lower_top, left - 8);
  RotatedTitle(&out, 20, (upper_top + upper_bottom) / 2, "Cumulative registrations");
  RotatedTitle(&out, 20, (lower_top + lower_bottom) / 2, "New per month");

  // Upper panel.
  if (in.stacked) {
    std::vector<int64_t> base(n, 0);
    for (size_t s = 0; s < series_count; ++s) {
      std::string d;
      for (size_t m = 0; m < n; ++m) {
        d += (m == 0 ? "M" : " L") + Px(x_of(m)) + "," + Px(y_upper(base[m] + cumulative[s][m]));
      }
      for (size_t m = n; m-- > 0;) d += " L" + Px(x_of(m)) + "," + Px(y_upper(base[m]));
      d += " Z";
      out += "<path" + A("class", "cumulative") + A("data-series", in.series[s].name) +
             I("data-total", series_total[s]) + A("data-cumulative", JoinCounts(cumulative[s])) + A("d", d) +
             A("fill", color(s)) + A("fill-opacity", "0.9") + A("stroke", color(s)) + A("stroke-width", "1") + "/>\n";
      for (size_t m = 0; m < n; ++m) base[m] += cumulative[s][m];
    }
    const double ex = x_of(n - 1);
    const double ey = y_upper(grand_total);
    out += "<circle" + A("class", "cumulative-point") + A("data-series", "All") + A("data-month", in.months.back()) +
           I("data-total", grand_total) + N("cx", ex) + N("cy", ey) + A("r", "3.5") + A("fill", kInk) + "/>\n";
    Text(&out, ex - 8, ey - 6, Count(grand_total),
         TextStyle(13, kInk, "end") + A("font-weight", "bold") + A("stroke", "#ffffff") + A("stroke-width", "3") +
             A("paint-order", "stroke") + A("class", "total-label"));
    std::vector<LegendItem> legend;
    for (size_t s = 0; s < series_count; ++s) {
      legend.push_back({in.series[s].name + "  " + Count(series_total[s]), color(s)});
    }
    FlowLegend(&out, legend, left, 80, right);
  } else {
    for (size_t s = 0; s < series_count; ++s) {
      std::string d;
      for (size_t m = 0; m < n; ++m) {
        d += (m == 0 ? "M" : " L") + Px(x_of(m)) + "," + Px(y_upper(cumulative[s][m]));
      }
      out += "<path" + A("class", "cumulative") + A("data-series", in.series[s].name) +
             I("data-total", series_total[s]) + A("data-cumulative", JoinCounts(cumulative[s])) + A("d", d) +
             A("fill", "none") + A("stroke", color(s)) + A("stroke-width", "2") + A("stroke-linejoin", "round") +
             "/>\n";
      out += "<circle" + A("class", "cumulative-point") + A("data-series", in.series[s].name) +
             A("data-month", in.months.back()) + I("data-total", series_total[s]) + N("cx", x_of(n - 1)) +
             N("cy", y_upper(series_total[s])) + A("r", "3") + A("fill", color(s)) + "/>\n";
    }
    // Legend column, largest total first (the order the curves end in).
    std::vector<size_t> order(series_count);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return series_total[a] > series_total[b]; });
    const double lx = right + 28;
    const double row = 19;
    // Rows that fit above the lower band's caption, with the "All sites" row.
    const auto rows_fit = static_cast<size_t>((lower_top - 38 - upper_top) / row);
    const size_t shown = series_count > rows_fit ? rows_fit - 1 : series_count;
    Text(&out, lx, upper_top + 4, "Site", TextStyle(12, kMuted) + A("font-weight", "bold"));
    Text(&out, kW - 20, upper_top + 4, "Total", TextStyle(12, kMuted, "end") + A("font-weight", "bold"));
    for (size_t i = 0; i < shown; ++i) {
      const size_t s = order[i];
      const double y = upper_top + 4 + row * static_cast<double>(i + 1);
      const std::string total = Count(series_total[s]);
      Line(&out, lx, y - 4, lx + 18, y - 4, color(s), 3, A("class", "legend-swatch"));
      const double name_room = (kW - 20 - TextWidth(total, 12) - 8) - (lx + 24);
      Text(&out, lx + 24, y, FitText(in.series[s].name, 12, name_room), TextStyle(12, kInk) + A("class", "legend"));
      Text(&out, kW - 20, y, total, TextStyle(12, kInk, "end"));
    }
    if (shown < series_count) {
      Text(&out, lx + 24, upper_top + 4 + row * static_cast<double>(shown + 1),
           "+ " + std::to_string(series_count - shown) + " more", TextStyle(12, kMuted));
    }
    const size_t entries = shown + (shown < series_count ? 1 : 0);
    const double ty = upper_top + 4 + row * static_cast<double>(entries) + 10;
    Line(&out, lx, ty, kW - 20, ty, kGrid, 1);
    Text(&out, lx + 24, ty + 16, "All sites", TextStyle(12, kInk) + A("font-weight", "bold"));
    Text(&out, kW - 20, ty + 16, Count(grand_total),
         TextStyle(12, kInk, "end") + A("font-weight", "bold") + A("class", "total-label"));
  }

  // Lower band: new registrations per month.
  const double bar_w = std::max(1.0, slot * 0.74);
  for (size_t m = 0; m < n; ++m) {
    const double x = x_of(m) - bar_w / 2;
    if (in.stacked) {
      int64_t below = 0;
      for (size_t s = 0; s < series_count; ++s) {
        const int64_t v = fresh[s][m];
        if (v == 0) continue;
        out += "<rect" + A("class", "bar") + A("data-month", in.months[m]) + A("data-series", in.series[s].name) +
               I("data-count", v) + RectAttrs(x, y_lower(below + v), bar_w, y_lower(below) - y_lower(below + v)) +
               A("fill", color(s)) + "/>\n";
        below += v;
      }
    } else if (month_total[m] > 0) {
      out += "<rect" + A("class", "bar") + A("data-month", in.months[m]) + A("data-series", "Total") +
             I("data-count", month_total[m]) +
             RectAttrs(x, y_lower(month_total[m]), bar_w, lower_bottom - y_lower(month_total[m])) +
             A("fill", kTotalBars) + "/>\n";
    }
  }
  if (!in.stacked) {
    const double lx = right + 28;
    out +=
        "<rect" + RectAttrs(lx, lower_top + 2, 14, 12) + A("fill", kTotalBars) + A("class", "legend-swatch") + "/>\n";
    Text(&out, lx + 24, lower_top + 12, "Bars: new per month,", TextStyle(12, kInk) + A("class", "legend"));
    Text(&out, lx + 24, lower_top + 28, "all sites together", TextStyle(12, kInk) + A("class", "legend"));
  }
  // Baselines last, over the areas and bars.
  Line(&out, left, upper_bottom, right, upper_bottom, kAxisColor, 1);
  Line(&out, left, lower_bottom, right, lower_bottom, kAxisColor, 1);
  Note(&out, in.note);
  return out + "</svg>\n";
}

// ---- alterations -------------------------------------------------------------

std::string_view AlterationKindName(AlterationKind kind) {
  switch (kind) {
    case AlterationKind::kMissense:
      return "missense";
    case AlterationKind::kTruncating:
      return "truncating";
    case AlterationKind::kInframe:
      return "inframe";
    case AlterationKind::kSplice:
      return "splice";
    case AlterationKind::kOtherMutation:
      return "other_mutation";
    case AlterationKind::kFusion:
      return "fusion";
    case AlterationKind::kAmplification:
      return "amplification";
    case AlterationKind::kDeletion:
      return "deletion";
  }
  return "other_mutation";
}

std::optional<AlterationKind> ParseAlterationKind(std::string_view name) {
  for (const AlterationKind k : kAlterationKinds) {
    if (AlterationKindName(k) == name) return k;
  }
  return std::nullopt;
}

std::string_view AlterationKindColor(AlterationKind kind) {
  // cBioPortal/cbioportal-frontend, packages/cbioportal-frontend-commons/src/lib/AlterationColors.ts
  switch (kind) {
    case AlterationKind::kMissense:
      return "#008000";  // MUT_COLOR_MISSENSE
    case AlterationKind::kTruncating:
      return "#000000";  // MUT_COLOR_TRUNC
    case AlterationKind::kInframe:
      return "#993404";  // MUT_COLOR_INFRAME
    case AlterationKind::kSplice:
      return "#e5802b";  // MUT_COLOR_SPLICE
    case AlterationKind::kOtherMutation:
      return "#cf58bc";  // MUT_COLOR_OTHER
    case AlterationKind::kFusion:
      return "#8B00C9";  // STRUCTURAL_VARIANT_COLOR (MUT_COLOR_FUSION before)
    case AlterationKind::kAmplification:
      return "#ff0000";  // CNA_COLOR_AMP
    case AlterationKind::kDeletion:
      return "#0000ff";  // CNA_COLOR_HOMDEL
  }
  return "#cf58bc";
}

namespace {

std::string_view AlterationKindLabel(AlterationKind kind) {
  switch (kind) {
    case AlterationKind::kMissense:
      return "Missense";
    case AlterationKind::kTruncating:
      return "Truncating";
    case AlterationKind::kInframe:
      return "Inframe";
    case AlterationKind::kSplice:
      return "Splice";
    case AlterationKind::kOtherMutation:
      return "Other mutation";
    case AlterationKind::kFusion:
      return "Fusion";
    case AlterationKind::kAmplification:
      return "Amplification";
    case AlterationKind::kDeletion:
      return "Deep deletion";
  }
  return "Other mutation";
}

constexpr size_t kKindCount = std::size(kAlterationKinds);

size_t KindIndex(AlterationKind kind) {
  for (size_t i = 0; i < kKindCount; ++i) {
    if (kAlterationKinds[i] == kind) return i;
  }
  return 0;
}

}  // namespace

std::string AlterationsChart(const AlterationsInput& in) {
  const std::string title = in.title.empty() ? "Most frequently altered genes" : in.title;
  std::string out = Begin(title);

  struct Row {
    const GeneBar* gene;
    std::vector<int64_t> by_kind;  // indexed like kAlterationKinds
    int64_t total = 0;
    int64_t altered = 0;
  };
  std::vector<Row> rows;
  rows.reserve(in.genes.size());
  for (const GeneBar& g : in.genes) {
    Row r{&g, std::vector<int64_t>(kKindCount, 0)};
    for (const auto& [kind, count] : g.by_kind) r.by_kind[KindIndex(kind)] += std::max<int64_t>(0, count);
    r.total = std::accumulate(r.by_kind.begin(), r.by_kind.end(), int64_t{0});
    r.altered = g.cases_altered >= 0 ? g.cases_altered : r.total;
    rows.push_back(std::move(r));
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    if (a.altered != b.altered) return a.altered > b.altered;
    return a.total != b.total ? a.total > b.total : a.gene->gene < b.gene->gene;
  });
  const size_t shown = std::min(in.top_n, rows.size());
  rows.resize(shown);

  std::string subtitle;
  if (shown > 0) {
    subtitle = "Top " + std::to_string(shown) + " of " + std::to_string(in.genes.size()) +
               " genes by cases altered, bars split by kind of alteration";
    if (in.cases > 0) subtitle += "; label: cases with the gene altered (% of " + Count(in.cases) + ")";
  }
  Heading(&out, title, subtitle);
  if (shown == 0) {
    Text(&out, kW / 2, kH / 2, "No alterations", TextStyle(16, kMuted, "middle") + A("class", "empty"));
    Note(&out, in.note);
    return out + "</svg>\n";
  }

  // Legend: the kinds drawn.
  std::vector<LegendItem> legend;
  for (size_t k = 0; k < kKindCount; ++k) {
    const bool present = std::any_of(rows.begin(), rows.end(), [&](const Row& r) { return r.by_kind[k] > 0; });
    if (present) {
      legend.push_back({std::string(AlterationKindLabel(kAlterationKinds[k])),
                        std::string(AlterationKindColor(kAlterationKinds[k]))});
    }
  }
  const double legend_y = FlowLegend(&out, legend, 24, 82, kW - 24);

  auto bar_label = [&](const Row& r) {
    std::string s = Count(r.altered);
    if (in.cases > 0) s += " (" + Percent(r.altered, in.cases, 1) + ")";
    return s;
  };
  double name_w = 0;
  for (const Row& r : rows) {
    name_w = std::max(name_w, TextWidth(r.gene->gene, 13));
  }
  name_w = std::min(name_w, 160.0);
  const double left = 24 + name_w + 10;
  const double right = kW - 24;
  const double top = legend_y + 18;
  // Rows at most 34 px apart: a short list stays together under the legend.
  const double row_h = std::min(34.0, (kH - 74 - top) / static_cast<double>(shown));
  const double bottom = top + row_h * static_cast<double>(shown);
  // px per alteration: the largest that leaves every bar room for its label.
  double unit = std::numeric_limits<double>::max();
  for (const Row& r : rows) {
    if (r.total > 0)
      unit = std::min(unit, (right - left - 8 - TextWidth(bar_label(r), 12)) / static_cast<double>(r.total));
  }
  if (unit == std::numeric_limits<double>::max()) unit = (right - left) / 10;  // all zero
  unit = std::max(unit, 1e-9);
  auto x_of = [&](int64_t v) { return left + unit * static_cast<double>(v); };
  const double bar_h = std::min(24.0, row_h * 0.72);

  // Round ticks as far as the plot goes (a tick label may not pass the edge).
  const int64_t step = NiceAxis(std::max<int64_t>(1, rows.front().total), 6).step;
  for (int64_t v = 0; x_of(v) + TextWidth(Count(v), 11) / 2 <= kW - 8; v += step) {
    if (v > 0) Line(&out, x_of(v), top, x_of(v), bottom, kGrid, 1);
    Line(&out, x_of(v), bottom, x_of(v), bottom + 5, kAxisColor, 1);
    Text(&out, x_of(v), bottom + 18, Count(v), TextStyle(11, kMuted, "middle") + A("class", "tick"));
  }
  Text(&out, (left + right) / 2, bottom + 38, "Cases with the kind of alteration (a case with two kinds counts in both)",
       TextStyle(12, kInk, "middle") + A("class", "axis-title"));

  for (size_t i = 0; i < shown; ++i) {
    const Row& r = rows[i];
    const double cy = top + row_h * (static_cast<double>(i) + 0.5);
    const double y = cy - bar_h / 2;
    out += "<g" + A("class", "gene") + A("data-gene", r.gene->gene) + I("data-total", r.total) +
           I("data-cases-altered", r.altered) + ">\n";
    Text(&out, left - 10, cy + 4.5, FitText(r.gene->gene, 13, name_w),
         TextStyle(13, kInk, "end") + A("font-style", "italic") + A("class", "gene-label"));
    int64_t before = 0;
    for (size_t k = 0; k < kKindCount; ++k) {
      const int64_t v = r.by_kind[k];
      if (v == 0) continue;
      out += "<rect" + A("class", "bar") + A("data-gene", r.gene->gene) +
             A("data-kind", AlterationKindName(kAlterationKinds[k])) + I("data-count", v) +
             RectAttrs(x_of(before), y, x_of(before + v) - x_of(before), bar_h) +
             A("fill", AlterationKindColor(kAlterationKinds[k])) + "/>\n";
      before += v;
    }
    Text(&out, x_of(r.total) + 6, cy + 4, bar_label(r), TextStyle(12, kInk) + A("class", "bar-label"));
    out += "</g>\n";
  }
  Line(&out, left, top, left, bottom, kAxisColor, 1);
  Note(&out, in.note);
  return out + "</svg>\n";
}

// ---- funnel --------------------------------------------------------------------

std::string FunnelChart(const FunnelInput& in) {
  const std::string title = in.trial_id.empty() ? "Referral funnel" : "Referral funnel: " + in.trial_id;
  std::string out = Begin(title);
  const std::string hidden = "<" + std::to_string(in.suppression_k);
  const bool any_suppressed =
      std::any_of(in.stages.begin(), in.stages.end(), [](const FunnelStage& s) { return s.suppressed; });
  std::string subtitle = "Patients reaching each stage";
  const bool base_known = !in.stages.empty() && !in.stages.front().suppressed && in.stages.front().count > 0;
  if (base_known) subtitle += ", with the % of " + in.stages.front().name;
  if (any_suppressed) {
    subtitle += "; hatched: fewer than " + std::to_string(in.suppression_k) + " (suppressed, shown as " + hidden + ")";
  }
  Heading(&out, title, subtitle);
  out +=
      "<defs><pattern id=\"hatch\" patternUnits=\"userSpaceOnUse\" width=\"8\" height=\"8\" "
      "patternTransform=\"rotate(45)\"><rect width=\"8\" height=\"8\" fill=\"#ffffff\"/>"
      "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" stroke=\"#9aa5b1\" stroke-width=\"3\"/></pattern></defs>\n";
  if (in.stages.empty()) {
    Text(&out, kW / 2, kH / 2, "No stages", TextStyle(16, kMuted, "middle") + A("class", "empty"));
    Note(&out, in.note);
    return out + "</svg>\n";
  }

  // The label of each stage; a suppressed one never shows its count.
  auto label = [&](size_t i) -> std::string {
    const FunnelStage& s = in.stages[i];
    if (s.suppressed) return hidden;
    std::string l = Count(s.count);
    if (base_known && i == 0) l += " (100%)";
    if (base_known && i > 0)
      l += " (" + Percent(s.count, in.stages.front().count, 0) + " of " + in.stages[0].name + ")";
    return l;
  };
  const int64_t k = std::max(1, in.suppression_k);
  double name_w = 0;
  for (const FunnelStage& s : in.stages) name_w = std::min(220.0, std::max(name_w, TextWidth(s.name, 15)));
  const double left = 24 + name_w + 14;
  const double right = kW - 24;
  // px per patient: the largest that leaves every bar room for its label (a
  // suppressed bar is drawn up to k).
  double unit = std::numeric_limits<double>::max();
  for (size_t i = 0; i < in.stages.size(); ++i) {
    const int64_t v = in.stages[i].suppressed ? k : in.stages[i].count;
    if (v > 0) unit = std::min(unit, (right - left - 10 - TextWidth(label(i), 14)) / static_cast<double>(v));
  }
  if (unit == std::numeric_limits<double>::max()) unit = (right - left) / 10;  // all zero
  unit = std::max(unit, 1e-9);
  const double top = 84;
  const double bottom = kH - 44;
  const double row_h = (bottom - top) / static_cast<double>(in.stages.size());
  const double bar_h = std::min(52.0, row_h * 0.66);
  auto x_of = [&](int64_t v) { return left + unit * static_cast<double>(std::max<int64_t>(0, v)); };
  for (size_t i = 0; i < in.stages.size(); ++i) {
    const FunnelStage& s = in.stages[i];
    const double cy = top + row_h * (static_cast<double>(i) + 0.5);
    Text(&out, left - 14, cy + 5, FitText(s.name, 15, name_w), TextStyle(15, kInk, "end") + A("class", "stage-label"));
    const std::string attrs = A("class", "bar") + A("data-stage", s.name) +
                              (s.suppressed ? A("data-count", hidden) : I("data-count", s.count)) +
                              A("data-suppressed", s.suppressed ? "true" : "false");
    const std::string lbl = label(i);
    if (s.suppressed) {
      // Hatched up to k: the count is somewhere below it.
      const double w = std::max(6.0, x_of(k) - left);
      out += "<rect" + attrs + RectAttrs(left, cy - bar_h / 2, w, bar_h) + A("fill", "url(#hatch)") +
             A("stroke", "#7b8794") + A("stroke-width", "1.2") + A("stroke-dasharray", "5 3") + "/>\n";
      Text(&out, left + w + 8, cy + 5, lbl, TextStyle(14, kMuted) + A("font-weight", "bold") + A("class", "bar-label"));
    } else {
      const double w = x_of(s.count) - left;
      out += "<rect" + attrs + RectAttrs(left, cy - bar_h / 2, w, bar_h) + A("fill", "#2f6f9f") + "/>\n";
      Text(&out, left + w + 8, cy + 5, lbl, TextStyle(14, kInk) + A("class", "bar-label"));
    }
  }
  Line(&out, left, top, left, bottom, kAxisColor, 1);
  Note(&out, in.note);
  return out + "</svg>\n";
}

// ---- sparkline -------------------------------------------------------------------

std::string Sparkline(const std::vector<int64_t>& values) {
  static constexpr const char* kBlocks[] = {"\xE2\x96\x81", "\xE2\x96\x82", "\xE2\x96\x83", "\xE2\x96\x84",
                                            "\xE2\x96\x85", "\xE2\x96\x86", "\xE2\x96\x87", "\xE2\x96\x88"};
  std::string out;
  if (values.empty()) return out;
  const auto [lo_it, hi_it] = std::minmax_element(values.begin(), values.end());
  // long double: hi - lo may not fit in int64_t.
  const long double lo = static_cast<long double>(*lo_it);
  const long double range = static_cast<long double>(*hi_it) - lo;
  for (const int64_t v : values) {
    size_t level = 3;  // all equal: the middle
    if (range > 0) {
      level = static_cast<size_t>(std::lround(static_cast<double>((static_cast<long double>(v) - lo) / range * 7)));
      level = std::min<size_t>(level, 7);
    }
    out += kBlocks[level];
  }
  return out;
}

}  // namespace fedreg::cli
