;; The CSV checker's fast path (lambdas/csv.ts): finds where the fields and records of plain
;; CSV end, 64 bytes at a time, with SIMD compares and bit masks instead of a loop per byte.
;;
;; The caller copies a window of its bytes, starting at a record's first byte, to offset 0 of
;; `memory`, zeroes the 80 bytes after it, and calls `scan(len, base)`, base being where the
;; window starts in the caller's buffer. Where each field ends, in order, goes to OUT as an i32
;; offset in the caller's buffer (plus base): at a comma, or at the record's line feed, or at
;; the CR of a CRLF. For each record that ends in the window, RECS gets how many entries OUT
;; has up to its last field. `scan` returns the number of records, and sets `anomaly` to the
;; window offset of the first byte that the fast path leaves to the exact, byte-wise checker,
;; or -1. Such a byte is anything the checker would report or that needs it to count
;; lines: a control character (not tab, and CR only right before LF), a C1 control character
;; (0xC2 0x80–0x9F), a quote that opens a field anywhere but at its start, a closing quote not
;; followed by a quote, comma or line break, and a line break inside quotes. Entries past the
;; anomaly are not written.
;;
;; Quotes: a bit per byte that is `"`; its prefix XOR is 1 from an opening quote up to the
;; closing one, so a doubled quote `""` inside a field closes and opens again at once.
;;
;; Compiled by wabt (`npm run build:wasm`) into lambdas/csv-scan-wasm.ts, which csv-scan.ts
;; loads; test/kernel/csv-fast.test.ts checks that those bytes are this file's.
(module
  (memory (export "memory") 10)
  ;; The window: at most 64 KiB from offset 0, then 80 zero bytes; OUT and RECS, room for an
  ;; entry per byte of the window each.
  (global (export "WINDOW") i32 (i32.const 65536))
  (global $OUT (export "OUT") i32 (i32.const 131072))
  (global $RECS (export "RECS") i32 (i32.const 393216))
  (global $anomaly (export "anomaly") (mut i32) (i32.const -1))

  ;; A 16-bit mask of a lane compare, as the low bits of an i64.
  (func $mask (param $v v128) (result i64)
    (i64.extend_i32_u (i8x16.bitmask (local.get $v))))

  (func (export "scan") (param $len i32) (param $at i32) (result i32)
    (local $base i32) (local $k i32) (local $p i32)
    (local $v v128) (local $w v128)
    (local $q i64) (local $lf i64) (local $sep i64) (local $follow i64) (local $bad i64)
    (local $x i64) (local $inq i64) (local $carry i64) (local $prev i64)
    (local $open i64) (local $close i64) (local $ends i64) (local $valid i64) (local $checked i64)
    (local $t i64) (local $n i32) (local $records i32) (local $out i32) (local $end i32) (local $shift i64) (local $rest i32)
    (global.set $anomaly (i32.const -1))
    (local.set $out (global.get $OUT))
    ;; The window starts at a record's first byte: outside quotes, at a field's start.
    (local.set $prev (i64.const 1))
    (block $done
      (loop $block
        (br_if $done (i32.ge_u (local.get $base) (local.get $len)))
        (local.set $q (i64.const 0))
        (local.set $sep (i64.const 0))
        (local.set $lf (i64.const 0))
        (local.set $follow (i64.const 0))
        (local.set $bad (i64.const 0))
        (local.set $k (i32.const 0))
        (loop $lanes
          (local.set $p (i32.add (local.get $base) (i32.shl (local.get $k) (i32.const 4))))
          (local.set $shift (i64.extend_i32_u (i32.shl (local.get $k) (i32.const 4))))
          (local.set $v (v128.load (local.get $p)))
          ;; w: the byte after each byte of v.
          (local.set $w (v128.load offset=1 (local.get $p)))
          (local.set $q (i64.or (local.get $q) (i64.shl (call $mask (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x22)))) (local.get $shift))))
          (local.set $sep (i64.or (local.get $sep) (i64.shl (call $mask (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x2c)))) (local.get $shift))))
          (local.set $lf (i64.or (local.get $lf) (i64.shl (call $mask (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x0a)))) (local.get $shift))))
          ;; A closing quote may be followed by a quote, a comma, CR or LF.
          (local.set $follow (i64.or (local.get $follow) (i64.shl (call $mask
            (v128.or
              (v128.or (i8x16.eq (local.get $w) (i8x16.splat (i32.const 0x22))) (i8x16.eq (local.get $w) (i8x16.splat (i32.const 0x2c))))
              (v128.or (i8x16.eq (local.get $w) (i8x16.splat (i32.const 0x0a))) (i8x16.eq (local.get $w) (i8x16.splat (i32.const 0x0d)))))) (local.get $shift))))
          ;; Bad wherever it is: a control character other than tab, LF and CR; CR not followed
          ;; by LF; DEL; 0xC2 followed by 0x80–0x9F.
          (local.set $bad (i64.or (local.get $bad) (i64.shl (call $mask
            (v128.or
              (v128.or
                (v128.andnot
                  (i8x16.lt_u (local.get $v) (i8x16.splat (i32.const 0x20)))
                  (v128.or
                    (v128.or (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x09))) (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x0a))))
                    (v128.and (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x0d))) (i8x16.eq (local.get $w) (i8x16.splat (i32.const 0x0a))))))
                (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x7f))))
              (v128.and
                (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0xc2)))
                (i8x16.eq (v128.and (local.get $w) (i8x16.splat (i32.const 0xe0))) (i8x16.splat (i32.const 0x80)))))) (local.get $shift))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $lanes (i32.lt_u (local.get $k) (i32.const 4))))
        ;; Inside quotes: the prefix XOR of the quote bits, carried from the block before.
        (local.set $x (local.get $q))
        (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 1))))
        (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 2))))
        (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 4))))
        (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 8))))
        (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 16))))
        (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 32))))
        (local.set $inq (i64.xor (local.get $x) (local.get $carry)))
        (local.set $carry (i64.shr_s (local.get $inq) (i64.const 63)))
        (local.set $sep (i64.or (local.get $sep) (local.get $lf)))
        (local.set $open (i64.and (local.get $q) (local.get $inq)))
        (local.set $close (i64.and (local.get $q) (i64.xor (local.get $inq) (i64.const -1))))
        (local.set $ends (i64.and (local.get $sep) (i64.xor (local.get $inq) (i64.const -1))))
        ;; A field may open with a quote only after a separator, or right after a closing
        ;; quote (a doubled quote inside a field), or at the window's start.
        (local.set $t (i64.or (local.get $ends) (local.get $close)))
        (local.set $bad (i64.or (local.get $bad)
          (i64.and (local.get $open) (i64.xor (i64.or (i64.shl (local.get $t) (i64.const 1)) (local.get $prev)) (i64.const -1)))))
        (local.set $prev (i64.shr_u (local.get $t) (i64.const 63)))
        (local.set $bad (i64.or (local.get $bad) (i64.and (local.get $close) (i64.xor (local.get $follow) (i64.const -1)))))
        ;; A line feed inside quotes: a record over several lines, which the exact path counts.
        (local.set $bad (i64.or (local.get $bad) (i64.and (local.get $inq) (local.get $lf))))
        ;; Only bytes inside the window; the last byte's next byte is not known, so nothing
        ;; that depends on it is judged (its record cannot end in this window anyway).
        (local.set $rest (i32.sub (local.get $len) (local.get $base)))
        (local.set $valid (select (i64.const -1)
          (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (local.get $rest))) (i64.const 1))
          (i32.ge_u (local.get $rest) (i32.const 64))))
        (local.set $checked (select (i64.const -1)
          (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (i32.sub (local.get $rest) (i32.const 1)))) (i64.const 1))
          (i32.gt_u (local.get $rest) (i32.const 64))))
        (local.set $bad (i64.and (local.get $bad) (local.get $checked)))
        (local.set $ends (i64.and (local.get $ends) (local.get $valid)))
        (if (i64.ne (local.get $bad) (i64.const 0))
          (then
            (local.set $ends (i64.and (local.get $ends)
              (i64.sub (i64.and (local.get $bad) (i64.sub (i64.const 0) (local.get $bad))) (i64.const 1))))))
        (block $emitted
          (loop $emit
            (br_if $emitted (i64.eqz (local.get $ends)))
            (local.set $p (i32.add (local.get $base) (i32.wrap_i64 (i64.ctz (local.get $ends)))))
            (local.set $end (local.get $p))
            (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x0a))
              (then
                ;; A record's end: its last field ends at the CR of a CRLF.
                (if (i32.gt_u (local.get $p) (i32.const 0))
                  (then
                    (if (i32.eq (i32.load8_u (i32.sub (local.get $p) (i32.const 1))) (i32.const 0x0d))
                      (then (local.set $end (i32.sub (local.get $p) (i32.const 1)))))))
                (i32.store (local.get $out) (i32.add (local.get $end) (local.get $at)))
                (local.set $n (i32.add (local.get $n) (i32.const 1)))
                (i32.store (i32.add (global.get $RECS) (i32.shl (local.get $records) (i32.const 2))) (local.get $n))
                (local.set $records (i32.add (local.get $records) (i32.const 1))))
              (else
                (i32.store (local.get $out) (i32.add (local.get $end) (local.get $at)))
                (local.set $n (i32.add (local.get $n) (i32.const 1)))))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $ends (i64.and (local.get $ends) (i64.sub (local.get $ends) (i64.const 1))))
            (br $emit)))
        (if (i64.ne (local.get $bad) (i64.const 0))
          (then
            (global.set $anomaly (i32.add (local.get $base) (i32.wrap_i64 (i64.ctz (local.get $bad)))))
            (return (local.get $records))))
        (local.set $base (i32.add (local.get $base) (i32.const 64)))
        (br $block)))
    (local.get $records))
)
