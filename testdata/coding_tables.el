;;; coding_tables.el --- Emacs's side of eproc's exhaustive table check  -*- lexical-binding: t -*-

;; Usage: emacs -Q --batch -l coding_tables.el SYSTEMS OUT
;;
;; SYSTEMS has one line per coding system: NAME WIDTH.  For each, every
;; byte is decoded alone (decode-coding-string), and with WIDTH 1 or 2
;; every pair of a lead byte #x81-#xFE and a trail byte #x40-#xFE, and with
;; WIDTH 2 also #x8F followed by each such pair.  OUT gets a line per
;; input, "D BYTES CHARS", then for each character that came out alone
;; (not a raw byte), in order of appearance, "E CHAR BYTES" with its
;; encode-coding-string.  BYTES and CHARS are hex numbers, separated by
;; commas.

(require 'cl-lib)

(defun eproc-tables-hex (seq)
  (mapconcat (lambda (c) (format "%x" c)) seq ","))

(defun eproc-tables-probe (name width)
  (let ((cs (intern name)) (seen (make-hash-table)) (order nil))
    (princ (format "S %s\n" name))
    (cl-flet ((one (bytes)
                (let ((s (decode-coding-string (apply #'unibyte-string bytes) cs)))
                  (princ (format "D %s %s\n" (eproc-tables-hex bytes) (eproc-tables-hex s)))
                  (when (and (= (length s) 1) (< (aref s 0) #x3fff80)
                             (not (gethash (aref s 0) seen)))
                    (puthash (aref s 0) t seen)
                    (push (aref s 0) order)))))
      (dotimes (b 256) (one (list b)))
      (when (> width 0)
        (cl-loop for b1 from #x81 to #xfe do
                 (cl-loop for b2 from #x40 to #xfe do
                          (one (list b1 b2))
                          (when (= width 2) (one (list #x8f b1 b2)))))))
    (dolist (c (nreverse order))
      (princ (format "E %x %s\n" c (eproc-tables-hex (encode-coding-string (string c) cs)))))))

(let ((systems-file (nth 0 command-line-args-left))
      (out-file (nth 1 command-line-args-left)))
  (setq command-line-args-left nil)
  (with-temp-buffer
    (insert-file-contents systems-file)
    (let ((lines (split-string (buffer-string) "\n" t)))
      (with-temp-file out-file
        (let ((standard-output (current-buffer)))
          (set-buffer-file-coding-system 'utf-8-unix)
          (dolist (line lines)
            (let ((f (split-string line)))
              (eproc-tables-probe (nth 0 f) (string-to-number (nth 1 f))))))))))
