import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { html } from './html.js';
import { weightChartData } from './release-view.js';

const height = 240;
const colors = { weight: '#2563eb', pass: '#15803d', fail: '#b91c1c', inconclusive: '#a16207' };

const checkSeries = (label, color) => ({
  label,
  stroke: color,
  paths: () => null,
  points: { show: true, size: 11, width: 2, stroke: '#fff', fill: color },
  value: (_plot, value) => (value === null || value === undefined ? '—' : `at ${value}%`),
});

function optionsFor(width) {
  return {
    width,
    height,
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: [0, 100] } },
    axes: [{}, { values: (_plot, ticks) => ticks.map((tick) => `${tick}%`), size: 48 }],
    series: [
      {},
      {
        label: 'Candidate weight',
        stroke: colors.weight,
        width: 2,
        fill: 'rgba(37, 99, 235, 0.12)',
        paths: uPlot.paths.stepped({ align: 1 }),
        points: { show: false },
        value: (_plot, value) => (value === null || value === undefined ? '—' : `${value}%`),
      },
      checkSeries('Check passed', colors.pass),
      checkSeries('Check failed', colors.fail),
      checkSeries('No verdict', colors.inconclusive),
    ],
  };
}

/** Weight over time from the release's timeline (uPlot), with each health verdict marked on the line. */
export function WeightChart({ status, now }) {
  const container = useRef(null);
  const plot = useRef(null);
  const data = weightChartData(status, now);

  useEffect(() => {
    const element = container.current;
    plot.current = new uPlot(optionsFor(element.clientWidth || 600), data, element);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: element.clientWidth, height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(data);
  });

  const points = data[0].length;
  return html`<figure class="chart">
    <div ref=${container} class="chart-box" role="img"
      aria-label=${`Candidate weight over time: now ${status.candidateWeightPercent}%, ${points} points`}></div>
    <figcaption class="visually-hidden">Candidate weight over time, with each health check marked.</figcaption>
  </figure>`;
}
