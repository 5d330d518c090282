/**
 * ID-POS receipts for one member at a time (plus the anonymous receipts of walk-in shoppers at
 * their store), built in reusable typed-array scratch buffers, sorted by time and written as CSV.
 */
import { timestamp } from './calendar.ts';
import type { GenContext } from './context.ts';
import { STREAMS } from './context.ts';
import type { CsvSink } from './csv.ts';
import { makeId } from './ids.ts';
import type { MemberDraw } from './members.ts';
import type { PersonaModel } from './personas.ts';
import type { Rng } from './rng.ts';

/** Anonymous receipts per member receipt: 8% of all receipts carry no member id. */
const ANONYMOUS_RATIO = 0.08 / 0.92;
const RETURN_RATE = 0.01;
const DISCOUNT_RATE = 0.12;
/** Online orders carry more lines than a store visit. */
const EC_BASKET = 1.4;
const HOME_STORE = 0.88;
/** Appliances are bought online more often than groceries. */
const APPLIANCE_EC_FLOOR = 0.35;

function discounted(price: number, factor: number): number {
  const p = price * factor;
  if (price < 1000) return Math.max(1, Math.floor(p / 10) * 10 + 8);
  return Math.floor(p / 100) * 100 + 80;
}

/** Growable scratch buffers: one member's receipts never allocate per line. */
class Scratch {
  n = 0;
  lines = 0;
  day = new Int32Array(256);
  sec = new Int32Array(256);
  store = new Int32Array(256);
  ec = new Uint8Array(256);
  lineStart = new Int32Array(257);
  prod = new Int32Array(1024);
  qty = new Int32Array(1024);
  price = new Int32Array(1024);
  order: number[] = [];

  reset(): void {
    this.n = 0;
    this.lines = 0;
  }

  open(day: number, sec: number, store: number, ec: boolean): void {
    if (this.n + 1 >= this.day.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.day = grow(this.day);
      this.sec = grow(this.sec);
      this.store = grow(this.store);
      this.ec = grow(this.ec);
      this.lineStart = grow(this.lineStart);
    }
    this.day[this.n] = day;
    this.sec[this.n] = sec;
    this.store[this.n] = store;
    this.ec[this.n] = ec ? 1 : 0;
    this.lineStart[this.n] = this.lines;
    this.n++;
    this.lineStart[this.n] = this.lines;
  }

  add(prod: number, qty: number, price: number): void {
    if (this.lines >= this.prod.length) {
      const size = this.prod.length * 2;
      const p = new Int32Array(size);
      p.set(this.prod);
      this.prod = p;
      const q = new Int32Array(size);
      q.set(this.qty);
      this.qty = q;
      const r = new Int32Array(size);
      r.set(this.price);
      this.price = r;
    }
    this.prod[this.lines] = prod;
    this.qty[this.lines] = qty;
    this.price[this.lines] = price;
    this.lines++;
    this.lineStart[this.n] = this.lines;
  }

  sortByTime(): number[] {
    const o = this.order;
    o.length = this.n;
    for (let i = 0; i < this.n; i++) o[i] = i;
    const key = (i: number) => this.day[i]! * 86400 + this.sec[i]!;
    o.sort((a, b) => key(a) - key(b) || a - b);
    return o;
  }
}

export class TransactionWriter {
  receipts = 0;
  private readonly scratch = new Scratch();
  private readonly l2Cum: Float64Array;
  private readonly returns: number[] = [];
  private readonly idWidth = 10;

  constructor(
    private readonly ctx: GenContext,
    private readonly sink: CsvSink,
  ) {
    this.l2Cum = new Float64Array(12 * ctx.catalog.basketL2.length);
  }

  /** Writes the member's receipts and the anonymous receipts attributed to their store. */
  member(m: MemberDraw, rng: Rng, anon: Rng): void {
    const { ctx } = this;
    rng.reseed(ctx.seed, STREAMS.transactions, m.index);
    const s = this.scratch;
    s.reset();
    this.buildMemberCum(m);
    const cfg = m.persona.config;
    const cal = ctx.cal;
    if (m.activeTo > m.activeFrom) {
      for (let k = 0; k < cal.months; k++) {
        const lo = Math.max(cal.monthStart[k]!, m.activeFrom);
        const hi = Math.min(cal.monthStart[k + 1]!, m.activeTo);
        if (hi <= lo) continue;
        const frac = (hi - lo) / (cal.monthStart[k + 1]! - cal.monthStart[k]!);
        const n = rng.poisson(cfg.visits * m.activity * frac);
        for (let r = 0; r < n; r++) this.memberReceipt(m, rng, this.drawDay(m.persona, rng, lo, hi));
      }
      const apps = rng.poisson(m.applianceRate);
      for (let a = 0; a < apps; a++) this.applianceReceipt(m, rng);
    }
    const own = s.n;
    this.flush(m.id);
    const anonymous = anon.reseed(ctx.seed, STREAMS.anonymous, m.index).poisson(own * ANONYMOUS_RATIO);
    if (anonymous > 0) {
      s.reset();
      for (let r = 0; r < anonymous; r++) this.anonymousReceipt(m, anon);
      this.flush('');
    }
  }

  /** Individual L2 choice per calendar month: member preference x category seasonality. */
  private buildMemberCum(m: MemberDraw): void {
    const { basketL2, l2 } = this.ctx.catalog;
    const nb = basketL2.length;
    let run = 0;
    for (let month = 0; month < 12; month++) {
      for (let j = 0; j < nb; j++) {
        run += m.l2Pref[j]! * l2[basketL2[j]!]!.season[month]!;
        this.l2Cum[month * nb + j] = run;
      }
    }
  }

  private drawDay(p: PersonaModel, rng: Rng, lo: number, hi: number): number {
    const dow = this.ctx.cal.dow;
    for (let tries = 0; tries < 16; tries++) {
      const d = lo + rng.int(hi - lo);
      if (rng.float() * p.dowMax < p.dowWeights[dow[d]!]!) return d;
    }
    return lo + rng.int(hi - lo);
  }

  private pickStore(home: number, rng: Rng): number {
    const { catalog } = this.ctx;
    if (rng.chance(HOME_STORE)) return home;
    const region = catalog.stores[home]!.region;
    const pool = rng.chance(0.85) ? catalog.storesByRegion[region]! : catalog.storesByRegion[rng.int(3)]!;
    return pool.length ? pool[rng.int(pool.length)]! : home;
  }

  private seconds(cum: Float64Array, rng: Rng): number {
    return rng.pickCumulative(cum) * 3600 + rng.int(3600);
  }

  private quantity(p: PersonaModel, rng: Rng): number {
    if (!rng.chance(p.config.multi_qty)) return 1;
    const u = rng.float();
    return u < 0.7 ? 2 : u < 0.9 ? 3 : 4 + rng.int(3);
  }

  private price(list: number, rng: Rng): number {
    return rng.chance(DISCOUNT_RATE) ? discounted(list, 1 - 0.1 * (1 + rng.int(3))) : list;
  }

  /** Adds `n` basket lines for `p` in calendar month `month`, with returns queued for later. */
  private basket(p: PersonaModel, rng: Rng, n: number, month: number, cum: Float64Array | null): void {
    const { catalog } = this.ctx;
    const nb = catalog.basketL2.length;
    const pc = p.productCum[month]!;
    for (let l = 0; l < n; l++) {
      const j = cum
        ? rng.pickCumulative(cum, month * nb, (month + 1) * nb) - month * nb
        : rng.pickCumulative(p.l2Cum[month]!);
      const k = catalog.basketL2[j]!;
      const prod = rng.pickCumulative(pc, catalog.l2Start[k]!, catalog.l2Start[k + 1]!);
      this.line(prod, this.quantity(p, rng), rng, cum !== null);
    }
  }

  private line(prod: number, qty: number, rng: Rng, allowReturn: boolean): void {
    const price = this.price(this.ctx.catalog.products[prod]!.price, rng);
    this.scratch.add(prod, qty, price);
    if (allowReturn && rng.chance(RETURN_RATE)) this.returns.push(prod, qty, price);
  }

  /** Returns go back to the same store and channel 1-14 days later, as separate receipts. */
  private closeReceipt(rng: Rng, day: number, store: number, ec: boolean, activeTo: number): void {
    const r = this.returns;
    for (let i = 0; i < r.length; i += 3) {
      const back = day + 1 + rng.int(14);
      if (back >= activeTo) continue;
      this.scratch.open(back, 10 * 3600 + rng.int(11 * 3600), store, ec);
      this.scratch.add(r[i]!, -r[i + 1]!, r[i + 2]!);
    }
    r.length = 0;
  }

  private memberReceipt(m: MemberDraw, rng: Rng, day: number): void {
    const p = m.persona;
    const ec = rng.chance(m.ecShare);
    const store = ec ? this.ctx.catalog.ecStore : this.pickStore(m.homeStore, rng);
    this.scratch.open(day, this.seconds(ec ? p.ecHourCum : p.storeHourCum, rng), store, ec);
    const mean = (p.config.lines - 1) * (ec ? EC_BASKET : 1);
    this.basket(p, rng, 1 + rng.poisson(mean), this.ctx.cal.monthOfYear[day]!, this.l2Cum);
    this.closeReceipt(rng, day, store, ec, m.activeTo);
  }

  private applianceReceipt(m: MemberDraw, rng: Rng): void {
    const { catalog, cal } = this.ctx;
    const p = m.persona;
    let day = m.activeFrom + rng.int(m.activeTo - m.activeFrom);
    const max = Math.max(...catalog.applianceSeason);
    for (let tries = 0; tries < 16; tries++) {
      if (rng.float() * max < catalog.applianceSeason[cal.monthOfYear[day]!]!) break;
      day = m.activeFrom + rng.int(m.activeTo - m.activeFrom);
    }
    const ec = rng.chance(Math.max(m.ecShare, APPLIANCE_EC_FLOOR));
    const store = ec ? catalog.ecStore : this.pickStore(m.homeStore, rng);
    this.scratch.open(day, this.seconds(ec ? p.ecHourCum : p.storeHourCum, rng), store, ec);
    const prod = catalog.applianceProducts[rng.pickCumulative(p.applianceCum)]!;
    this.line(prod, 1, rng, true);
    this.basket(p, rng, rng.int(3), cal.monthOfYear[day]!, this.l2Cum);
    this.closeReceipt(rng, day, store, ec, m.activeTo);
  }

  private anonymousReceipt(m: MemberDraw, rng: Rng): void {
    const { personas, cal } = this.ctx;
    const p = personas.models[rng.pickCumulative(personas.memberShareCum)]!;
    const day = this.drawDay(p, rng, 0, cal.days);
    const store = rng.chance(0.75) ? m.homeStore : this.pickStore(m.homeStore, rng);
    this.scratch.open(day, this.seconds(p.storeHourCum, rng), store, false);
    this.basket(p, rng, 1 + rng.poisson(p.config.lines - 1), cal.monthOfYear[day]!, null);
  }

  private flush(memberId: string): void {
    const { catalog, cal } = this.ctx;
    const s = this.scratch;
    const order = s.sortByTime();
    for (const r of order) {
      const rid = makeId('R', ++this.receipts, this.idWidth);
      const store = catalog.stores[s.store[r]!]!;
      const head = `${rid},${memberId},${store.id},${s.ec[r] ? 'ec' : 'store'},${timestamp(cal, s.day[r]!, s.sec[r]!)},`;
      for (let l = s.lineStart[r]!; l < s.lineStart[r + 1]!; l++) {
        const q = s.qty[l]!;
        const price = s.price[l]!;
        this.sink.line(`${head}${catalog.products[s.prod[l]!]!.id},${q},${price},${q * price}`);
      }
    }
  }
}
