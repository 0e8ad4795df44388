// Charts through ECharts (loaded as /ui/vendor/echarts.min.js, the package's own build), drawn on
// canvas. Okabe-Ito colours, safe for colour-blind readers; every chart has an aria label saying
// what it shows. Charts of a page are disposed when the page is left.
import type * as ECharts from 'echarts';

declare const echarts: typeof ECharts;

export const palette = {
  blue: '#0072B2',
  orange: '#E69F00',
  vermillion: '#D55E00',
  green: '#009E73',
  sky: '#56B4E9',
  purple: '#CC79A7',
  yellow: '#F0E442',
  grey: '#777777',
};

export const actionColour: Record<string, string> = {
  allow: palette.grey,
  watch: palette.sky,
  mark: palette.blue,
  throttle: palette.orange,
  verify: palette.yellow,
  degrade: palette.purple,
  block: palette.vermillion,
};

const live = new Set<ECharts.ECharts>();

export function disposeCharts(): void {
  for (const chart of live) chart.dispose();
  live.clear();
}

window.addEventListener('resize', () => {
  for (const chart of live) chart.resize();
});

/** A chart in `element`, labelled for screen readers. */
export function chart(
  element: HTMLElement,
  label: string,
  option: ECharts.EChartsOption,
): ECharts.ECharts {
  element.setAttribute('role', 'img');
  element.setAttribute('aria-label', label);
  const instance = echarts.init(element, undefined, { renderer: 'canvas' });
  instance.setOption({
    animation: false,
    textStyle: { fontFamily: 'system-ui, sans-serif' },
    ...option,
  });
  live.add(instance);
  return instance;
}

const tooltip = { trigger: 'axis' as const, renderMode: 'richText' as const };

/** Requests over time (bars per bucket); `marks` draws labelled vertical lines (a model release). */
export function timeSeriesOption(
  series: { name: string; colour: string; points: [number, number][]; stack?: string }[],
  marks: { at: number; label: string }[] = [],
  unit = 'requests',
): ECharts.EChartsOption {
  return {
    color: series.map((item) => item.colour),
    tooltip,
    legend: { top: 0, show: series.length > 1 },
    grid: { left: 56, right: 24, top: series.length > 1 ? 32 : 16, bottom: 48 },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', name: unit, nameGap: 12, minInterval: 1 },
    dataZoom: [{ type: 'inside' }],
    series: series.map((item, index) => ({
      name: item.name,
      type: 'bar',
      stack: item.stack,
      barMaxWidth: 12,
      data: item.points,
      markLine:
        index === 0 && marks.length > 0
          ? {
              symbol: 'none',
              lineStyle: { color: palette.vermillion, type: 'dashed', width: 2 },
              label: { formatter: '{b}', position: 'end', color: '#222' },
              data: marks.map((mark) => ({ name: mark.label, xAxis: mark.at })),
            }
          : undefined,
    })),
  };
}

export function barsOption(
  labels: string[],
  values: number[],
  name: string,
  colour = palette.blue,
): ECharts.EChartsOption {
  return {
    color: [colour],
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    grid: { left: 110, right: 24, top: 8, bottom: 32 },
    xAxis: { type: 'value', name },
    yAxis: { type: 'category', data: labels, inverse: true },
    series: [{ type: 'bar', data: values, barMaxWidth: 18 }],
  };
}
