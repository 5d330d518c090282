/** The part of jStat (no published types) the backtest pooling uses. */
declare module 'jstat' {
  interface Distribution {
    cdf(x: number, ...params: number[]): number;
    inv(p: number, ...params: number[]): number;
  }
  const jStat: { normal: Distribution; chisquare: Distribution };
  export default jStat;
}
