"""Atomic, crash-safe file writes for ``torch.save`` and safetensors: a temporary file written
through a writeback-pipelining or ``O_DIRECT`` writer, fsynced, then renamed over the target."""
import os as _os
import tempfile as _tempfile
import threading as _threading


# ==============================================================================================
# Atomic writes


_SFR = None


def _sync_file_range():
    """libc's sync_file_range (Linux), or False where it is unavailable."""
    global _SFR
    if _SFR is None:
        try:
            import ctypes

            fn = ctypes.CDLL(None, use_errno=True).sync_file_range
            fn.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
            fn.restype = ctypes.c_int
            _SFR = fn
        except (OSError, AttributeError, ImportError):
            _SFR = False
    return _SFR


class _Writeback:
    """Wraps a binary file being written sequentially: large writes go out in chunks, and each
    chunk's writeback to disk starts (``sync_file_range(SYNC_FILE_RANGE_WRITE)``) while later
    chunks are still being produced, so the final fsync only waits for the tail."""

    CHUNK = 8 << 20

    def __init__(self, f):
        self._f = f
        self._fd = f.fileno()
        self._pos = 0
        self._started = 0
        self._sfr = _sync_file_range()

    def write(self, b):
        mv = memoryview(b)
        if mv.ndim != 1 or mv.format not in ("B", "b", "c"):
            mv = mv.cast("B")
        n = mv.nbytes
        step = self.CHUNK
        if n <= step:
            self._f.write(mv)
            self._pos += n
        else:
            for i in range(0, n, step):
                part = mv[i : i + step]
                self._f.write(part)
                self._pos += len(part)
                self._kick()
        self._kick()
        return n

    def _kick(self):
        if not self._sfr or self._pos - self._started < self.CHUNK:
            return
        self._f.flush()
        if self._sfr(self._fd, self._started, self._pos - self._started, 2) != 0:  # SYNC_FILE_RANGE_WRITE
            self._sfr = False  # e.g. a file system without it: plain fsync at the end
            return
        self._started = self._pos

    def flush(self):
        self._f.flush()

    def tell(self):
        return self._f.tell()

    def fileno(self):
        return self._fd

    def close(self):
        self._f.flush()


def _direct_enabled():
    return hasattr(_os, "O_DIRECT") and _os.environ.get("OXYTORCH_SAVE_DIRECT", "1") != "0"


class _DirectWriter:
    """Sequential writer for large saves: the first ``HEAD`` bytes go through ``f`` (buffered), the
    rest is gathered into page-aligned blocks and written with ``O_DIRECT`` by a helper thread
    while the next block is filled. The bytes go from the tensors to the disk without passing
    through the page cache, so a save neither waits behind other processes' dirty pages nor leaves
    its own for the final fsync; the file is cut to its exact length at the end. Where the file
    system refuses ``O_DIRECT`` the rest goes through ``f`` as well."""

    HEAD = 4 << 20  # a multiple of every logical block size
    BLOCK = 8 << 20
    THREADS = 2  # writes in flight (a deeper device queue)

    def __init__(self, f, path):
        self._buffered = _Writeback(f)
        self._path = path
        self._pos = 0
        self._dfd = None
        self._failed = False
        self._cur = None
        self._fill = 0
        self._off = 0  # file offset of the current block
        self._err = None
        self._threads = []

    # The buffered head, then the direct tail.
    def write(self, b):
        mv = memoryview(b)
        if mv.ndim != 1 or mv.format not in ("B", "b", "c"):
            mv = mv.cast("B")
        n = mv.nbytes
        i = 0
        if self._dfd is None and not self._failed:
            k = min(n, self.HEAD - self._pos)
            if k > 0:
                self._buffered.write(mv[:k])
                self._pos += k
                i = k
            if i < n:
                self._start()
        if self._failed:
            self._buffered.write(mv[i:])
            self._pos += n - i
            return n
        self._pos += n - i
        while i < n:
            if self._cur is None:
                self._cur = self._take()
            k = min(self.BLOCK - self._fill, n - i)
            self._cur[self._fill : self._fill + k] = mv[i : i + k]
            self._fill += k
            i += k
            if self._fill == self.BLOCK:
                self._submit(self.BLOCK)
        return n

    def _start(self):
        import mmap
        import queue

        self._buffered.flush()
        try:
            self._dfd = _os.open(self._path, _os.O_WRONLY | _os.O_DIRECT | getattr(_os, "O_CLOEXEC", 0))
        except OSError:
            self._failed = True
            return
        self._free = queue.Queue()
        for _ in range(self.THREADS + 1):
            self._free.put(mmap.mmap(-1, self.BLOCK))
        self._jobs = queue.Queue()
        self._off = self._pos
        self._threads = [
            _threading.Thread(target=self._run, name="oxytorch-save", daemon=True) for _ in range(self.THREADS)
        ]
        for t in self._threads:
            t.start()

    def _run(self):
        while True:
            job = self._jobs.get()
            if job is None:
                return
            buf, length, off = job
            try:
                if self._err is None:
                    view = memoryview(buf)[:length]
                    done = 0
                    while done < length:
                        k = _os.pwrite(self._dfd, view[done:], off + done)
                        if k <= 0:
                            raise OSError("short write")
                        done += k
                    view.release()
            except BaseException as e:  # noqa: BLE001  (re-raised in the saving thread)
                self._err = e
            finally:
                self._free.put(buf)

    def _take(self):
        self._check()
        return self._free.get()

    def _check(self):
        if self._err is not None:
            raise self._err

    def _submit(self, length):
        self._jobs.put((self._cur, length, self._off))
        self._off += self._fill
        self._cur = None
        self._fill = 0
        self._check()

    def flush(self):
        pass

    def tell(self):
        return self._pos

    def fileno(self):
        return self._buffered.fileno()

    def close(self):
        """Writes out the last block, waits for the helper thread, and cuts the file to length."""
        if self._dfd is None:
            self._buffered.close()
            return
        try:
            if self._cur is not None and self._fill:
                padded = (self._fill + 4095) & ~4095
                self._cur[self._fill : padded] = bytes(padded - self._fill)
                self._submit(padded)
        finally:
            self._stop()
            fd, self._dfd = self._dfd, -1
            try:
                self._check()
                _os.ftruncate(fd, self._pos)
            finally:
                _os.close(fd)
        self._buffered.close()

    def _stop(self):
        for _ in self._threads:
            self._jobs.put(None)
        for t in self._threads:
            t.join()
        self._threads = []

    def abort(self):
        if self._dfd is not None and self._dfd >= 0:
            self._stop()
            _os.close(self._dfd)
            self._dfd = -1


def write_atomic(filename, writer, mode=None):
    """Calls ``writer(f)`` on a temporary file in ``filename``'s folder, flushes and fsyncs it, then
    renames it over ``filename``. On any failure the temporary file is removed and a previous
    ``filename`` is left untouched."""
    path = _os.fspath(filename)
    folder = _os.path.dirname(_os.path.abspath(path))
    fd, tmp = _tempfile.mkstemp(prefix="." + _os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        with _os.fdopen(fd, "wb") as f:
            w = _DirectWriter(f, tmp) if _direct_enabled() else _Writeback(f)
            try:
                writer(w)
                w.close()
            except BaseException:
                if isinstance(w, _DirectWriter):
                    w.abort()
                raise
            f.flush()
            _os.fsync(f.fileno())
        if mode is None:
            umask = _os.umask(0)
            _os.umask(umask)
            mode = 0o666 & ~umask
        _os.chmod(tmp, mode)
        _os.replace(tmp, path)
    except BaseException:
        try:
            _os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dfd = _os.open(folder, _os.O_RDONLY)
        try:
            _os.fsync(dfd)
        finally:
            _os.close(dfd)
    except OSError:
        pass
