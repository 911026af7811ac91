// SPDX-License-Identifier: MIT
/*
 * Zero-copy reads of nvmem: the provider splices page cache pages into a
 * pipe and libfuse splices them on to /dev/fuse, so the bytes are copied
 * once, into the reader's buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "base/log.h"
#include "base/tsan.h"
#include "fs_priv.h"

/*
 * Each FUSE worker thread's pipe for spliced reads (see fs_read_spliced):
 * created on its first read, closed by the thread-exit destructor.
 * Empty between requests; a pipe left holding bytes after an error is
 * closed and a fresh one made, rather than drained.
 */
struct fs_pipe {
	int fd[2];
};

#define FS_PIPE_SIZE	(2 * FS_MAX_READ)

static pthread_key_t fs_pipe_key;
static pthread_once_t fs_pipe_once = PTHREAD_ONCE_INIT;
static bool fs_pipe_key_ok;

static void fs_pipe_free(void *data)
{
	struct fs_pipe *p = data;

	close(p->fd[0]);
	close(p->fd[1]);
	free(p);
}

static void fs_pipe_key_init(void)
{
	fs_pipe_key_ok = !pthread_key_create(&fs_pipe_key, fs_pipe_free);
}

/* This thread's pipe, or NULL when splicing is not possible here. */
static struct fs_pipe *fs_pipe_get(struct fs *fs)
{
	struct fs_pipe *p;

	pthread_once(&fs_pipe_once, fs_pipe_key_init);
	if (!fs_pipe_key_ok)
		return NULL;
	p = pthread_getspecific(fs_pipe_key);
	if (p)
		return p;
	p = malloc(sizeof(*p));
	if (!p)
		return NULL;
	if (pipe2(p->fd, O_CLOEXEC | O_NONBLOCK) < 0) {
		free(p);
		return NULL;
	}
	/* Twice the largest reply: where pipes cannot grow that far (a
	 * lowered pipe-max-size), libfuse's could not hold a reply either,
	 * and copying is the faster way. That holds for every later read
	 * too, which must not pay four system calls to learn it again. */
	if (fcntl(p->fd[0], F_SETPIPE_SZ, FS_PIPE_SIZE) < FS_PIPE_SIZE) {
		if (atomic_exchange(&fs->splice_ok, false))
			log_info("pipes cannot grow to %d bytes: reads are copied, not spliced",
				 FS_PIPE_SIZE);
		goto err_free;
	}
	if (pthread_setspecific(fs_pipe_key, p))
		goto err_free;
	return p;

err_free:
	fs_pipe_free(p);
	return NULL;
}

static void fs_pipe_discard(struct fs_pipe *p)
{
	pthread_setspecific(fs_pipe_key, NULL);
	fs_pipe_free(p);
}

/*
 * Read nvmem through this thread's pipe. Returns false, having replied
 * nothing, when this read must take the copying path instead.
 *
 * Below two pages libfuse copies the reply out of the pipe rather than
 * splicing it on, so a small read through the pipe would only add two
 * system calls to the copy.
 */
bool fs_read_spliced(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		     size_t size, off_t off)
{
	struct fuse_bufvec bv = FUSE_BUFVEC_INIT(0);
	struct fs_pipe *p;
	int left = 0;
	ssize_t n;

	if (!atomic_load(&fs->splice_ok) || size > FS_MAX_READ ||
	    size < 2 * (size_t)getpagesize())
		return false;
	p = fs_pipe_get(fs);
	if (!p)
		return false;
	n = nvmem_device_splice(h->dev, off, size, p->fd[1]);
	if (n == -EOPNOTSUPP)	/* before any byte went in */
		return false;
	if (n == 0) {		/* at or past the end */
		fuse_reply_buf(req, NULL, 0);
		return true;
	}
	if (n < 0) {
		fs_pipe_discard(p);
		fuse_reply_err(req, -n);
		return true;
	}
	bv.buf[0].size = n;
	bv.buf[0].flags = FUSE_BUF_IS_FD;
	bv.buf[0].fd = p->fd[0];
	/* The kernel answers a read before it sends the release of its
	 * file, and ThreadSanitizer sees that order through the
	 * read()/writev() on /dev/fuse that it intercepts, but not through
	 * splice(): a spliced reply says so, on the handle that release
	 * frees (fs_release()). Last use of @h. */
	tsan_release(h);
	fuse_reply_data(req, &bv, 0);
	/* A reply that failed (the reader was interrupted) leaves bytes
	 * behind that must not prefix the next one. */
	if (ioctl(p->fd[0], FIONREAD, &left) < 0 || left)
		fs_pipe_discard(p);
	return true;
}

