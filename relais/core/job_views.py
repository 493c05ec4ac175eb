"""A slow action's page: its progress while the task worker runs it (the htmx partial, polled),
then its file or result, or its failure with a retry. Reached through ``job_get_for_user``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render

from relais.core.errors import DomainError
from relais.core.http import is_htmx, object_or_404
from relais.core.jobs import job_get_for_user, job_retry


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One view, the full page or the progress partial (``?embedded=1``: the partial of
    another page, which reloads once the job is done, to show what it changed)."""
    job = object_or_404(request, job_get_for_user, pk)
    if request.method == "POST":
        try:
            job_retry(job=job)
        except DomainError as exc:
            messages.error(request, exc.message)
        if request.POST.get("back") == "1" and job.back_url:  # a URL of ours, not the user's
            return redirect(job.back_url)
        return redirect("job", pk=job.pk)
    embedded = request.GET.get("embedded") == "1"
    context = {"job": job, "embedded": embedded}
    if is_htmx(request):
        response = render(request, "core/partials/_job.html", context)
        if embedded and job.finished:
            response["HX-Refresh"] = "true"
        return response
    return render(request, "core/job.html", context)


@login_required
def job_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = object_or_404(request, job_get_for_user, pk)
    if not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)
