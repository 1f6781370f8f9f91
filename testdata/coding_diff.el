;;; coding_diff.el --- the Emacs side of eproc's differential decoding test  -*- lexical-binding: t -*-

;; Usage: emacs -Q --batch -l coding_diff.el CASES OUT
;;
;; CASES holds one Lisp list per case: (ID CODING CHUNK...), each CHUNK a
;; unibyte string.  For each case a `cat' child is made with :coding
;; (CODING . no-conversion) over pipes, and each chunk is sent to it and
;; read back before the next is sent (accept-process-output returns non-nil
;; once Emacs has read the echo), so that every chunk is exactly one read
;; of the process's output.  Then the child's input is closed and the end of
;; its output is read.  One line per case goes to OUT:
;;
;;   ID DECIDED|OUT|OUT...
;;
;; DECIDED is (car (process-coding-system p)) at the end; each OUT is one
;; call of the filter: "m" or "u" (multibyte or unibyte string) followed by
;; the string's characters (or bytes) in hex, separated by spaces.  An error
;; signalled while reading is an OUT of "!" followed by the error.
;;
;; A case (ID CODING :encode (CHAR...)...) tests encoding instead: the
;; child gets :coding (no-conversion . CODING), each list of characters is
;; sent as one multibyte string (process-send-string), and the line is
;;
;;   ID ENCODER|uBYTES
;;
;; with ENCODER (cdr (process-coding-system p)) after the sends and BYTES
;; everything the child echoed, in hex.

(setq process-adaptive-read-buffering nil)
(setq read-process-output-max 65536)

(defun eproc-diff-hex (s)
  (mapconcat (lambda (c) (format "%x" c)) (string-to-list s) " "))

(defun eproc-diff-accept (p)
  "Wait for output of P; an error during the wait is returned as a string."
  (condition-case err
      (let ((n 0) (got nil))
        (while (and (not got) (< n 60))
          (setq got (accept-process-output p 0.5)
                n (1+ n)))
        (if got nil "!timeout"))
    (error (format "!%S" err))))

(defun eproc-diff-case (coding chunks)
  (let* ((outs nil)
         (p (make-process :name "eproc-diff" :command '("cat")
                          :connection-type 'pipe
                          :coding (cons coding 'no-conversion)
                          :noquery t
                          :filter (lambda (_p s)
                                    (push (concat (if (multibyte-string-p s) "m" "u")
                                                  (eproc-diff-hex s))
                                          outs))
                          :sentinel #'ignore)))
    (dolist (c chunks)
      (process-send-string p c)
      (let ((err (eproc-diff-accept p)))
        (when err (push err outs))))
    (process-send-eof p)
    (let ((n 0))
      (while (and (< n 60)
                  (or (process-live-p p)
                      (condition-case err
                          (accept-process-output p 0)
                        (error (push (format "!%S" err) outs) nil))))
        (condition-case err
            (accept-process-output p 0.5)
          (error (push (format "!%S" err) outs)))
        (setq n (1+ n))))
    (prog1 (concat (symbol-name (car (process-coding-system p)))
                   (mapconcat (lambda (o) (concat "|" o)) (nreverse outs) ""))
      (delete-process p))))

(defun eproc-diff-encode (coding strings)
  (let* ((outs nil)
         (p (make-process :name "eproc-diff" :command '("cat")
                          :connection-type 'pipe
                          :coding (cons 'no-conversion coding)
                          :noquery t
                          :filter (lambda (_p s) (push s outs))
                          :sentinel #'ignore)))
    (dolist (chars strings)
      (process-send-string p (string-to-multibyte (apply #'string chars))))
    (let ((encoder (cdr (process-coding-system p))))
      (process-send-eof p)
      (let ((n 0))
        (while (and (< n 60) (or (process-live-p p) (accept-process-output p 0)))
          (accept-process-output p 0.5)
          (setq n (1+ n))))
      (prog1 (concat (symbol-name encoder) "|u"
                     (eproc-diff-hex (apply #'concat (nreverse outs))))
        (delete-process p)))))

(let ((cases-file (nth 0 command-line-args-left))
      (out-file (nth 1 command-line-args-left)))
  (setq command-line-args-left nil)
  (with-temp-buffer
    (set-buffer-multibyte nil)
    (let ((coding-system-for-read 'no-conversion))
      (insert-file-contents cases-file))
    (goto-char (point-min))
    (let (case)
      (while (setq case (condition-case nil (read (current-buffer)) (end-of-file nil)))
        ;; One line per case, written at once: if Emacs dies on a case,
        ;; the lines before it are kept.
        (let ((line (format "%s %s\n" (car case)
                            (if (eq (nth 2 case) :encode)
                                (condition-case err
                                    (eproc-diff-encode (intern (nth 1 case)) (nthcdr 3 case))
                                  (error (format "?|!%S" err)))
                              (eproc-diff-case (intern (nth 1 case)) (nthcdr 2 case)))))
              (coding-system-for-write 'utf-8-unix))
          (write-region line nil out-file t 'silent))))))
