;; The scoring kernel in WebAssembly (SIMD): the same arithmetic as the pure-TypeScript kernel
;; (src/lookalike/kernel.ts), without a bounds check on every load, with two f64 lanes in the MLP
;; and four f32 lanes in the logistic function. Sums stay in double precision and in the same
;; order as the TypeScript loops, so logits are bit-identical to the reference; probabilities are
;; computed in Float32 (range reduction and a polynomial instead of Math.exp in double) and stay
;; within 1e-6 relative of the reference.
;;
;; Every pointer is a byte offset into the exported memory; the caller (kernel-wasm.ts) lays out
;; the weights once per model and copies rows in chunks. `base` is the chunk's first entry index:
;; row pointers are absolute CSR offsets, so rows of any part of a matrix are scored in place.
;; Functions that read column indices return -1, or a row holding an index outside
;; [0, cols): a bad index must be an error, never a read of unrelated memory. Output arrays
;; need 16 bytes of room after them (the logistic function's last vector).
;;
;; Assembled by scripts/build-kernel-wasm.ts (wabt) into kernel.wasm and kernel-bytes.ts.
(module
  (memory (export "memory") 1)

  ;; Logistic model: out[r] = f32(bias + sum over the row of value * w[col]), in row order. The
  ;; weights are Float64 (the Float32 weights widened, exactly), saving a conversion per entry.
  ;; Two rows at a time, each summed in its own order: the rows' additions are independent
  ;; chains, so the core overlaps them instead of waiting on one add's latency per entry. A bad
  ;; index returns the pair's first row (the caller looks from there for the row that holds it).
  (func (export "logistic")
    (param $rowPtr i32) (param $indices i32) (param $values i32) (param $base i32)
    (param $w i32) (param $cols i32) (param $bias f64) (param $out i32) (param $n i32)
    (result i32)
    (local $r i32) (local $pa i32) (local $ea i32) (local $pb i32) (local $eb i32) (local $ca i32)
    (local $cb i32) (local $za f64) (local $zb f64) (local $common i32) (local $rp i32)
    (block $bad
      (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $n)))
        (local.set $rp (i32.add (local.get $rowPtr) (i32.shl (local.get $r) (i32.const 2))))
        (local.set $pa (i32.shl (i32.sub (i32.load (local.get $rp)) (local.get $base)) (i32.const 2)))
        (local.set $ea (i32.shl (i32.sub (i32.load offset=4 (local.get $rp)) (local.get $base)) (i32.const 2)))
        ;; The last row of an odd count pairs with an empty row ending where it ends.
        (local.set $pb (local.get $ea))
        (local.set $eb
          (if (result i32) (i32.lt_u (i32.add (local.get $r) (i32.const 1)) (local.get $n))
            (then (i32.shl (i32.sub (i32.load offset=8 (local.get $rp)) (local.get $base)) (i32.const 2)))
            (else (local.get $ea))))
        (local.set $za (f64.const 0))
        (local.set $zb (f64.const 0))
        (local.set $common
          (i32.add (local.get $pa)
            (select
              (i32.sub (local.get $ea) (local.get $pa))
              (i32.sub (local.get $eb) (local.get $pb))
              (i32.lt_s (i32.sub (local.get $ea) (local.get $pa)) (i32.sub (local.get $eb) (local.get $pb))))))
        (block $bothDone
          (loop $both
            (br_if $bothDone (i32.ge_s (local.get $pa) (local.get $common)))
            (local.set $ca (i32.load (i32.add (local.get $indices) (local.get $pa))))
            (local.set $cb (i32.load (i32.add (local.get $indices) (local.get $pb))))
            (br_if $bad (i32.ge_u (local.get $ca) (local.get $cols)))
            (br_if $bad (i32.ge_u (local.get $cb) (local.get $cols)))
            (local.set $za
              (f64.add (local.get $za)
                (f64.mul
                  (f64.promote_f32 (f32.load (i32.add (local.get $values) (local.get $pa))))
                  (f64.load (i32.add (local.get $w) (i32.shl (local.get $ca) (i32.const 3)))))))
            (local.set $zb
              (f64.add (local.get $zb)
                (f64.mul
                  (f64.promote_f32 (f32.load (i32.add (local.get $values) (local.get $pb))))
                  (f64.load (i32.add (local.get $w) (i32.shl (local.get $cb) (i32.const 3)))))))
            (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
            (local.set $pb (i32.add (local.get $pb) (i32.const 4)))
            (br $both)))
        (block $aDone
          (loop $a
            (br_if $aDone (i32.ge_s (local.get $pa) (local.get $ea)))
            (local.set $ca (i32.load (i32.add (local.get $indices) (local.get $pa))))
            (br_if $bad (i32.ge_u (local.get $ca) (local.get $cols)))
            (local.set $za
              (f64.add (local.get $za)
                (f64.mul
                  (f64.promote_f32 (f32.load (i32.add (local.get $values) (local.get $pa))))
                  (f64.load (i32.add (local.get $w) (i32.shl (local.get $ca) (i32.const 3)))))))
            (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
            (br $a)))
        (block $bDone
          (loop $b
            (br_if $bDone (i32.ge_s (local.get $pb) (local.get $eb)))
            (local.set $cb (i32.load (i32.add (local.get $indices) (local.get $pb))))
            (br_if $bad (i32.ge_u (local.get $cb) (local.get $cols)))
            (local.set $zb
              (f64.add (local.get $zb)
                (f64.mul
                  (f64.promote_f32 (f32.load (i32.add (local.get $values) (local.get $pb))))
                  (f64.load (i32.add (local.get $w) (i32.shl (local.get $cb) (i32.const 3)))))))
            (local.set $pb (i32.add (local.get $pb) (i32.const 4)))
            (br $b)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (f32.demote_f64 (f64.add (local.get $bias) (local.get $za))))
        ;; Out has room past its end, so an odd count's phantom second row is stored harmlessly.
        (f32.store offset=4 (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (f32.demote_f64 (f64.add (local.get $bias) (local.get $zb))))
        (local.set $r (i32.add (local.get $r) (i32.const 2)))
        (br $rows)))
      (return (i32.const -1)))
    (local.get $r))

  ;; The logistic loop over a snapshot shard's stored form (scale/shard-codec.ts): u16 column
  ;; indices and 1-byte codes into a codebook of the shard's distinct values, held as Float64 (the
  ;; Float32 values widened, exactly). value * w[col] is the same double product as on plain CSR,
  ;; added in the same order, so the logits are bit-identical; the rows take 3 bytes a non-zero
  ;; to read instead of 8. Offsets here count entries (the code array is the byte offset itself).
  (func (export "logistic_coded")
    (param $rowPtr i32) (param $indices i32) (param $codes i32) (param $book i32) (param $base i32)
    (param $w i32) (param $cols i32) (param $bias f64) (param $out i32) (param $n i32)
    (result i32)
    (local $r i32) (local $pa i32) (local $ea i32) (local $pb i32) (local $eb i32) (local $ca i32)
    (local $cb i32) (local $za f64) (local $zb f64) (local $common i32) (local $rp i32)
    (block $bad
      (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $n)))
        (local.set $rp (i32.add (local.get $rowPtr) (i32.shl (local.get $r) (i32.const 2))))
        (local.set $pa (i32.sub (i32.load (local.get $rp)) (local.get $base)))
        (local.set $ea (i32.sub (i32.load offset=4 (local.get $rp)) (local.get $base)))
        ;; The last row of an odd count pairs with an empty row ending where it ends.
        (local.set $pb (local.get $ea))
        (local.set $eb
          (if (result i32) (i32.lt_u (i32.add (local.get $r) (i32.const 1)) (local.get $n))
            (then (i32.sub (i32.load offset=8 (local.get $rp)) (local.get $base)))
            (else (local.get $ea))))
        (local.set $za (f64.const 0))
        (local.set $zb (f64.const 0))
        (local.set $common
          (i32.add (local.get $pa)
            (select
              (i32.sub (local.get $ea) (local.get $pa))
              (i32.sub (local.get $eb) (local.get $pb))
              (i32.lt_s (i32.sub (local.get $ea) (local.get $pa)) (i32.sub (local.get $eb) (local.get $pb))))))
        (block $bothDone
          (loop $both
            (br_if $bothDone (i32.ge_s (local.get $pa) (local.get $common)))
            (local.set $ca (i32.load16_u (i32.add (local.get $indices) (i32.shl (local.get $pa) (i32.const 1)))))
            (local.set $cb (i32.load16_u (i32.add (local.get $indices) (i32.shl (local.get $pb) (i32.const 1)))))
            (br_if $bad (i32.ge_u (local.get $ca) (local.get $cols)))
            (br_if $bad (i32.ge_u (local.get $cb) (local.get $cols)))
            (local.set $za
              (f64.add (local.get $za)
                (f64.mul
                  (f64.load (i32.add (local.get $book) (i32.shl (i32.load8_u (i32.add (local.get $codes) (local.get $pa))) (i32.const 3))))
                  (f64.load (i32.add (local.get $w) (i32.shl (local.get $ca) (i32.const 3)))))))
            (local.set $zb
              (f64.add (local.get $zb)
                (f64.mul
                  (f64.load (i32.add (local.get $book) (i32.shl (i32.load8_u (i32.add (local.get $codes) (local.get $pb))) (i32.const 3))))
                  (f64.load (i32.add (local.get $w) (i32.shl (local.get $cb) (i32.const 3)))))))
            (local.set $pa (i32.add (local.get $pa) (i32.const 1)))
            (local.set $pb (i32.add (local.get $pb) (i32.const 1)))
            (br $both)))
        (block $aDone
          (loop $a
            (br_if $aDone (i32.ge_s (local.get $pa) (local.get $ea)))
            (local.set $ca (i32.load16_u (i32.add (local.get $indices) (i32.shl (local.get $pa) (i32.const 1)))))
            (br_if $bad (i32.ge_u (local.get $ca) (local.get $cols)))
            (local.set $za
              (f64.add (local.get $za)
                (f64.mul
                  (f64.load (i32.add (local.get $book) (i32.shl (i32.load8_u (i32.add (local.get $codes) (local.get $pa))) (i32.const 3))))
                  (f64.load (i32.add (local.get $w) (i32.shl (local.get $ca) (i32.const 3)))))))
            (local.set $pa (i32.add (local.get $pa) (i32.const 1)))
            (br $a)))
        (block $bDone
          (loop $b
            (br_if $bDone (i32.ge_s (local.get $pb) (local.get $eb)))
            (local.set $cb (i32.load16_u (i32.add (local.get $indices) (i32.shl (local.get $pb) (i32.const 1)))))
            (br_if $bad (i32.ge_u (local.get $cb) (local.get $cols)))
            (local.set $zb
              (f64.add (local.get $zb)
                (f64.mul
                  (f64.load (i32.add (local.get $book) (i32.shl (i32.load8_u (i32.add (local.get $codes) (local.get $pb))) (i32.const 3))))
                  (f64.load (i32.add (local.get $w) (i32.shl (local.get $cb) (i32.const 3)))))))
            (local.set $pb (i32.add (local.get $pb) (i32.const 1)))
            (br $b)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (f32.demote_f64 (f64.add (local.get $bias) (local.get $za))))
        ;; Out has room past its end, so an odd count's phantom second row is stored harmlessly.
        (f32.store offset=4 (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (f32.demote_f64 (f64.add (local.get $bias) (local.get $zb))))
        (local.set $r (i32.add (local.get $r) (i32.const 2)))
        (br $rows)))
      (return (i32.const -1)))
    (local.get $r))

  ;; z + t * w when the hidden unit t is active (relu), else z unchanged: the TypeScript
  ;; `if (a > 0) z += a * w`, including for NaN and signed zeros.
  (func $relu_acc (param $z f64) (param $t f64) (param $w f64) (result f64)
    (select
      (f64.add (local.get $z) (f64.mul (local.get $t) (local.get $w)))
      (local.get $z)
      (f64.gt (local.get $t) (f64.const 0))))

  ;; z plus the relu'd pair a (units j, j + 1) times w2[j], w2[j + 1], in unit order.
  (func $relu_pair (param $z f64) (param $a v128) (param $w2 i32) (result f64)
    (call $relu_acc
      (call $relu_acc (local.get $z) (f64x2.extract_lane 0 (local.get $a)) (f64.load (local.get $w2)))
      (f64x2.extract_lane 1 (local.get $a))
      (f64.load offset=8 (local.get $w2))))

  ;; One hidden relu layer of h units (h a multiple of 8), then one linear unit: the logit.
  ;; Eight hidden units at a time in four f64x2 accumulators; w1 is row-major [col][unit]. w1,
  ;; b1 and w2 are Float64 (widened exactly), so a weight pair is one 16-byte load.
  (func (export "mlp1")
    (param $rowPtr i32) (param $indices i32) (param $values i32) (param $base i32)
    (param $w1 i32) (param $b1 i32) (param $w2 i32) (param $h i32) (param $cols i32)
    (param $b2 f64) (param $out i32) (param $n i32)
    (result i32)
    (local $r i32) (local $start i32) (local $end i32) (local $p i32) (local $c i32)
    (local $j i32) (local $q i32) (local $rowBytes i32) (local $z f64) (local $v v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $rowBytes (i32.shl (local.get $h) (i32.const 3)))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $r) (local.get $n)))
        (local.set $start
          (i32.shl
            (i32.sub (i32.load (i32.add (local.get $rowPtr) (i32.shl (local.get $r) (i32.const 2))))
                     (local.get $base))
            (i32.const 2)))
        (local.set $end
          (i32.shl
            (i32.sub (i32.load offset=4 (i32.add (local.get $rowPtr) (i32.shl (local.get $r) (i32.const 2))))
                     (local.get $base))
            (i32.const 2)))
        ;; Check the row's indices once, before the unit loop reads weight rows with them.
        (local.set $p (local.get $start))
        (block $checked
          (loop $check
            (br_if $checked (i32.ge_s (local.get $p) (local.get $end)))
            (if (i32.ge_u (i32.load (i32.add (local.get $indices) (local.get $p))) (local.get $cols))
              (then (return (local.get $r))))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $check)))
        (local.set $z (local.get $b2))
        (local.set $j (i32.const 0))
        (block $unitsDone
          (loop $units
            (br_if $unitsDone (i32.ge_u (local.get $j) (local.get $rowBytes)))
            (local.set $q (i32.add (local.get $b1) (local.get $j)))
            (local.set $a0 (v128.load (local.get $q)))
            (local.set $a1 (v128.load offset=16 (local.get $q)))
            (local.set $a2 (v128.load offset=32 (local.get $q)))
            (local.set $a3 (v128.load offset=48 (local.get $q)))
            (local.set $p (local.get $start))
            (block $rowDone
              (loop $entries
                (br_if $rowDone (i32.ge_s (local.get $p) (local.get $end)))
                (local.set $v
                  (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $values) (local.get $p))))))
                (local.set $q
                  (i32.add
                    (i32.add (local.get $w1) (local.get $j))
                    (i32.mul (i32.load (i32.add (local.get $indices) (local.get $p))) (local.get $rowBytes))))
                (local.set $a0 (f64x2.add (local.get $a0)
                  (f64x2.mul (local.get $v) (v128.load (local.get $q)))))
                (local.set $a1 (f64x2.add (local.get $a1)
                  (f64x2.mul (local.get $v) (v128.load offset=16 (local.get $q)))))
                (local.set $a2 (f64x2.add (local.get $a2)
                  (f64x2.mul (local.get $v) (v128.load offset=32 (local.get $q)))))
                (local.set $a3 (f64x2.add (local.get $a3)
                  (f64x2.mul (local.get $v) (v128.load offset=48 (local.get $q)))))
                (local.set $p (i32.add (local.get $p) (i32.const 4)))
                (br $entries)))
            (local.set $q (i32.add (local.get $w2) (local.get $j)))
            (local.set $z (call $relu_pair (local.get $z) (local.get $a0) (local.get $q)))
            (local.set $z (call $relu_pair (local.get $z) (local.get $a1) (i32.add (local.get $q) (i32.const 16))))
            (local.set $z (call $relu_pair (local.get $z) (local.get $a2) (i32.add (local.get $q) (i32.const 32))))
            (local.set $z (call $relu_pair (local.get $z) (local.get $a3) (i32.add (local.get $q) (i32.const 48))))
            (local.set $j (i32.add (local.get $j) (i32.const 64)))
            (br $units)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (f32.demote_f64 (local.get $z)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))
    (i32.const -1))

  ;; The logistic function on four Float32 logits, in Float32 (within 1e-6 relative of the
  ;; double-precision result rounded to Float32, or one subnormal step where the result is
  ;; subnormal). With E = exp(-|x|) in (0, 1], the result is 1 / (1 + E) for x >= 0 and
  ;; E / (1 + E) below, so nothing overflows. |x| is capped at 104, past which E is below the
  ;; smallest subnormal anyway. exp(y), y = -|x|, is 2^k e^r with k = round(y / ln 2) (the
  ;; 1.5 * 2^23 shift leaves k in the low mantissa bits of t), r = y - k ln 2 (ln 2 split in two
  ;; so k * hi is exact) and e^r by Cephes' expf polynomial (|r| <= 0.347). 2^k is built as
  ;; 2^(k + 64) * 2^-64, so results down to the subnormals are rounded once, correctly scaled.
  (func $sigmoid4 (param $x v128) (result v128)
    (local $y v128) (local $t v128) (local $k v128) (local $r v128) (local $p v128) (local $e v128)
    (local $s v128)
    (local.set $y
      (f32x4.neg (f32x4.min (f32x4.abs (local.get $x)) (v128.const f32x4 104 104 104 104))))
    (local.set $t
      (f32x4.add
        (f32x4.mul (local.get $y) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))
        (v128.const f32x4 12582912 12582912 12582912 12582912)))
    (local.set $k (f32x4.sub (local.get $t) (v128.const f32x4 12582912 12582912 12582912 12582912)))
    (local.set $r
      (f32x4.sub
        (f32x4.sub (local.get $y) (f32x4.mul (local.get $k) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)))
        (f32x4.mul (local.get $k) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (local.set $p (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
    ;; e^r = p r^2 + r + 1
    (local.set $p
      (f32x4.add
        (f32x4.add (f32x4.mul (local.get $p) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r))
        (v128.const f32x4 1 1 1 1)))
    ;; k is in [-151, 0]: k + 64 + 127 is a valid biased exponent.
    (local.set $e
      (f32x4.mul
        (f32x4.mul (local.get $p)
          (i32x4.shl (i32x4.add (local.get $t) (v128.const i32x4 191 191 191 191)) (i32.const 23)))
        (v128.const f32x4 5.42101086242752217e-20 5.42101086242752217e-20 5.42101086242752217e-20 5.42101086242752217e-20)))
    (local.set $s (f32x4.div (v128.const f32x4 1 1 1 1) (f32x4.add (v128.const f32x4 1 1 1 1) (local.get $e))))
    (v128.bitselect
      (local.get $s)
      (f32x4.mul (local.get $e) (local.get $s))
      (f32x4.ge (local.get $x) (v128.const f32x4 0 0 0 0))))

  ;; In place over n Float32 logits at ptr: the logistic function. Four at a time; the last
  ;; 1 to 3 are computed in a full vector (the caller leaves 16 bytes of room after the array)
  ;; and only their lanes are stored.
  (func (export "sigmoid") (param $ptr i32) (param $n i32)
    (local $end i32) (local $rest i32) (local $v v128)
    (local.set $end (i32.add (local.get $ptr) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $quads
        (br_if $done (i32.ge_u (local.get $ptr) (local.get $end)))
        (v128.store (local.get $ptr) (call $sigmoid4 (v128.load (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 16)))
        (br $quads)))
    (local.set $rest (i32.and (local.get $n) (i32.const 3)))
    (if (local.get $rest)
      (then
        (local.set $v (call $sigmoid4 (v128.load (local.get $ptr))))
        (v128.store32_lane 0 (local.get $ptr) (local.get $v))
        (if (i32.ge_u (local.get $rest) (i32.const 2))
          (then (v128.store32_lane offset=4 1 (local.get $ptr) (local.get $v))))
        (if (i32.eq (local.get $rest) (i32.const 3))
          (then (v128.store32_lane offset=8 2 (local.get $ptr) (local.get $v)))))))
)
